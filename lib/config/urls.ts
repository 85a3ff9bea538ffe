import { validateHostname } from '../core/validation';

/** Props of {@link DifyUrls.fromHost}. */
export interface DifyUrlsOptions {
  /** Serve over HTTPS. @default false */
  readonly tls?: boolean;
}

/**
 * The public URLs Dify puts in pages, API responses and webhooks, all derived
 * from the ingress host so the UI works through it.
 */
export class DifyUrls {
  /** All URLs on one host (the upstream nginx layout). */
  public static fromHost(host: string, options: DifyUrlsOptions = {}): DifyUrls {
    validateHostname('host', host);
    return new DifyUrls(host, options.tls ?? false);
  }

  /** `http(s)://host`. */
  public readonly baseUrl: string;
  /** `ws(s)://host`. */
  public readonly socketUrl: string;

  private constructor(public readonly host: string, public readonly tls: boolean) {
    this.baseUrl = `${tls ? 'https' : 'http'}://${host}`;
    this.socketUrl = `${tls ? 'wss' : 'ws'}://${host}`;
  }

  /** URL variables of api, worker and beat. */
  public backendEnv(): Record<string, string> {
    return {
      CONSOLE_API_URL: this.baseUrl,
      CONSOLE_WEB_URL: this.baseUrl,
      SERVICE_API_URL: this.baseUrl,
      APP_API_URL: this.baseUrl,
      APP_WEB_URL: this.baseUrl,
      FILES_URL: this.baseUrl,
      TRIGGER_URL: this.baseUrl,
      ENDPOINT_URL_TEMPLATE: `${this.baseUrl}/e/{hook_id}`,
    };
  }

  /** URL variables of the web frontend. */
  public webEnv(): Record<string, string> {
    return {
      CONSOLE_API_URL: this.baseUrl,
      APP_API_URL: this.baseUrl,
      NEXT_PUBLIC_SOCKET_URL: this.socketUrl,
    };
  }
}
