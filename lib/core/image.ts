import { invalid } from './validation';

const REF = /^(?<repo>[a-z0-9]+(?:[._\-/:][a-z0-9]+)*?(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*)(?::(?<tag>[\w][\w.-]{0,127}))?(?:@(?<digest>sha256:[a-f0-9]{64}))?$/;

/** Parsed image reference. */
export interface ImageRef {
  readonly repository: string;
  readonly tag?: string;
  readonly digest?: string;
}

/**
 * Validates an image reference: it must carry an explicit tag or digest, and
 * the tag must not be `latest` (floating tags make rollouts unreviewable).
 */
export function validateImage(prop: string, image: string): ImageRef {
  const m = REF.exec(image);
  if (!m?.groups) invalid(prop, image, 'must be an image reference like "registry/name:1.2.3" or "name@sha256:<64 hex>"');
  const { repo, tag, digest } = m.groups;
  if (!tag && !digest) invalid(prop, image, 'must pin a tag or a digest; untagged images float to :latest');
  if (tag === 'latest') invalid(prop, image, 'must not use the floating tag "latest"; pin a version');
  return { repository: repo, tag, digest };
}

/** The tag (or short digest) to put in `app.kubernetes.io/version`. */
export function imageVersion(image: string): string {
  const ref = validateImage('image', image);
  const v = ref.tag ?? ref.digest!.slice('sha256:'.length, 'sha256:'.length + 12);
  return v.replace(/[^A-Za-z0-9_.-]/g, '-').slice(0, 63);
}
