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

/** How images are pulled: a mirror registry and digests. */
export interface ImageSourceOptions {
  /** Registry host (and optional path) that mirrors every image, e.g. `registry.example.com/dockerhub`. @default - the images' own registries */
  readonly registry?: string;
  /** `sha256:<64 hex>` digest to pin; the tag stays for readability, the digest decides. @default - tag only */
  readonly digest?: string;
}

const REGISTRY = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?(:[0-9]+)?(\/[a-z0-9]+([._-][a-z0-9]+)*)*$/;
const DIGEST = /^sha256:[a-f0-9]{64}$/;

/**
 * Rewrites `image` to pull from a mirror registry and/or pins its digest.
 * Docker Hub official images (`postgres:…`) get the `library/` path mirrors expect.
 */
export function resolveImage(prop: string, image: string, o: ImageSourceOptions = {}): string {
  const ref = validateImage(prop, image);
  let repository = ref.repository;
  if (o.registry !== undefined) {
    if (!REGISTRY.test(o.registry)) invalid('imageRegistry', o.registry, 'must be a registry host with an optional path, such as "registry.example.com/mirror" (no scheme, no trailing slash)');
    const parts = repository.split('/');
    const hasHost = parts.length > 1 && (parts[0].includes('.') || parts[0].includes(':') || parts[0] === 'localhost');
    const path = hasHost ? parts.slice(1) : parts.length === 1 ? ['library', ...parts] : parts;
    repository = `${o.registry}/${path.join('/')}`;
  }
  let digest = ref.digest;
  if (o.digest !== undefined) {
    if (!DIGEST.test(o.digest)) invalid(`imageDigests.${prop.replace(/^images\./, '')}`, o.digest, 'must be "sha256:" followed by 64 lowercase hex digits');
    digest = o.digest;
  }
  return `${repository}${ref.tag ? `:${ref.tag}` : ''}${digest ? `@${digest}` : ''}`;
}
