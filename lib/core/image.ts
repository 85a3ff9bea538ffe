import { invalid } from './validation';

// The reference grammar of the container registries (distribution/reference):
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN = `(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[0-9a-fA-F:.]+\\])(?::[0-9]+)?`;
const PATH_COMPONENT = '[a-z0-9]+(?:(?:[_.]|__|-+)[a-z0-9]+)*';
const TAG = '[\\w][\\w.-]{0,127}';
const DIGEST_PART = 'sha256:[a-f0-9]{64}|sha512:[a-f0-9]{128}';
const REF = new RegExp(`^(?<repo>(?:${DOMAIN}/)?${PATH_COMPONENT}(?:/${PATH_COMPONENT})*)(?::(?<tag>${TAG}))?(?:@(?<digest>${DIGEST_PART}))?$`);

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
  const m = typeof image === 'string' && image.length <= 512 ? REF.exec(image) : null;
  // Registry and repository in lower case: the grammar lets a registry host have capitals, but kubelet's pull
  // normalizes nothing, and containerd and CRI-O refuse a reference they cannot look up as written.
  const fixed = typeof image === 'string' ? lowerRepository(image) : image;
  if (fixed !== image && REF.test(fixed)) {
    invalid(prop, image, `must be lower case in its registry and repository (only the tag may have capitals): "${fixed}"`);
  }
  if (!m?.groups) invalid(prop, image, 'must be an image reference like "registry/name:1.2.3" or "name@sha256:<64 hex>"');
  const { repo, tag, digest } = m.groups;
  if (!tag && !digest) invalid(prop, image, 'must pin a tag or a digest; untagged images float to :latest');
  if (tag === 'latest') invalid(prop, image, 'must not use the floating tag "latest"; pin a version');
  return { repository: repo, tag, digest };
}

/** `image` with its registry and repository (everything before `:tag` or `@digest`) in lower case. */
function lowerRepository(image: string): string {
  const at = image.indexOf('@');
  const base = at >= 0 ? image.slice(0, at) : image;
  const colon = base.indexOf(':', base.lastIndexOf('/') + 1);
  const end = colon >= 0 ? colon : base.length;
  return `${image.slice(0, end).toLowerCase()}${image.slice(end)}`;
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

const REGISTRY = new RegExp(`^${DOMAIN}(?:/${PATH_COMPONENT})*$`);
const DIGEST = new RegExp(`^(?:${DIGEST_PART})$`);

/**
 * Rewrites `image` to pull from a mirror registry and/or pins its digest.
 * Docker Hub official images (`postgres:…`) get the `library/` path mirrors expect.
 */
export function resolveImage(prop: string, image: string, o: ImageSourceOptions = {}): string {
  const ref = validateImage(prop, image);
  let repository = ref.repository;
  if (o.registry !== undefined) {
    if (typeof o.registry === 'string' && REGISTRY.test(o.registry) && /[A-Z]/.test(o.registry))
      invalid('imageRegistry', o.registry, `must be lower case: "${o.registry.toLowerCase()}"`);
    if (typeof o.registry !== 'string' || !REGISTRY.test(o.registry))
      invalid(
        'imageRegistry',
        o.registry,
        'must be a registry host with an optional path, such as "registry.example.com/mirror" (no scheme, no trailing slash)',
      );
    const parts = repository.split('/');
    const hasHost = parts.length > 1 && (parts[0].includes('.') || parts[0].includes(':') || parts[0] === 'localhost');
    const path = hasHost ? parts.slice(1) : parts.length === 1 ? ['library', ...parts] : parts;
    repository = `${o.registry}/${path.join('/')}`;
  }
  let digest = ref.digest;
  if (o.digest !== undefined) {
    if (typeof o.digest !== 'string' || !DIGEST.test(o.digest))
      invalid(`imageDigests.${prop.replace(/^images\./, '')}`, o.digest, 'must be "sha256:" followed by 64 lowercase hex digits');
    digest = o.digest;
  }
  return `${repository}${ref.tag ? `:${ref.tag}` : ''}${digest ? `@${digest}` : ''}`;
}
