import { EnvSet } from '../core/env';
import { SecretKeyRef } from '../core/secret-ref';
import { invalid, validateHostAndPort, validateUrl } from '../core/validation';
import { guardProps } from '../core/guard';

const EMAIL = /^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/;

/** Props of {@link DifyMail.smtp}. */
export interface SmtpOptions {
  /** SMTP server host (SMTP_SERVER). */
  readonly server: string;
  /** SMTP port (SMTP_PORT). @default 465 */
  readonly port?: number;
  /** User name (SMTP_USERNAME). @default - no authentication */
  readonly username?: string;
  /** Password (SMTP_PASSWORD). @default - no authentication */
  readonly password?: SecretKeyRef;
  /** Implicit TLS (SMTP_USE_TLS). @default true */
  readonly useTls?: boolean;
  /** STARTTLS (SMTP_OPPORTUNISTIC_TLS). @default false */
  readonly opportunisticTls?: boolean;
  /** Sender address (MAIL_DEFAULT_SEND_FROM). */
  readonly from: string;
}

/** Props of {@link DifyMail.resend}. */
export interface ResendOptions {
  /** API key (RESEND_API_KEY). */
  readonly apiKey: SecretKeyRef;
  /** Sender address (MAIL_DEFAULT_SEND_FROM). */
  readonly from: string;
  /** API URL (RESEND_API_URL). @default "https://api.resend.com" */
  readonly apiUrl?: string;
}

/** How Dify sends invitation and password-reset mail. */
export abstract class DifyMail {
  /** An SMTP relay. */
  public static smtp(o: SmtpOptions): DifyMail {
    guardProps('SmtpOptions', o, 'mail.smtp');
    const smtp = validateHostAndPort({ prop: 'mail.smtp.server', value: o.server }, { prop: 'mail.smtp.port', value: o.port, default: 465 });
    checkFrom('mail.smtp.from', o.from);
    if ((o.username === undefined) !== (o.password === undefined)) {
      invalid('mail.smtp.username', o.username, 'username and password must be given together');
    }
    if (o.useTls && o.opportunisticTls) {
      invalid('mail.smtp.opportunisticTls', true, 'conflicts with useTls: choose implicit TLS or STARTTLS');
    }
    return new (class extends DifyMail {
      public env(): EnvSet {
        return new EnvSet()
          .plain(
            {
              MAIL_TYPE: 'smtp',
              MAIL_DEFAULT_SEND_FROM: o.from,
              SMTP_SERVER: smtp.host,
              SMTP_PORT: smtp.port,
              SMTP_USERNAME: o.username,
              SMTP_USE_TLS: o.useTls ?? true,
              SMTP_OPPORTUNISTIC_TLS: o.opportunisticTls ?? false,
            },
            'mail.smtp',
          )
          .secret({ SMTP_PASSWORD: o.password });
      }
    })();
  }

  /** The Resend API. */
  public static resend(o: ResendOptions): DifyMail {
    guardProps('ResendOptions', o, 'mail.resend');
    checkFrom('mail.resend.from', o.from);
    if (o.apiUrl !== undefined) validateUrl('mail.resend.apiUrl', o.apiUrl);
    return new (class extends DifyMail {
      public env(): EnvSet {
        return new EnvSet()
          .plain({ MAIL_TYPE: 'resend', MAIL_DEFAULT_SEND_FROM: o.from, RESEND_API_URL: o.apiUrl ?? 'https://api.resend.com' }, 'mail.resend')
          .secret({ RESEND_API_KEY: o.apiKey });
      }
    })();
  }

  /** api/worker environment for this mailer. */
  public abstract env(): EnvSet;
}

function checkFrom(prop: string, from: string): void {
  const address = /<([^>]+)>\s*$/.exec(from)?.[1] ?? from;
  if (!EMAIL.test(address)) invalid(prop, from, 'must be an address such as "Dify <no-reply@example.com>"');
}
