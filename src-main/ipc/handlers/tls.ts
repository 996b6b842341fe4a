import { importCa } from '../../core/transport/ledger';
import { probeCertificate } from '../../core/transport/probe';
import type { AppContext } from '../app-context';
import type { Handlers } from '../contract';

type TlsHandlers = Pick<Handlers, 'tls:probe' | 'tls:importCa'>;

export function tlsHandlers(ctx: AppContext): TlsHandlers {
  return {
    'tls:probe': async ({ url, credentialId, accountId }) => {
      const trust = credentialId ? ctx.vault.get(credentialId).trust : accountId ? ctx.accounts.get(accountId).trust : undefined;
      return probeCertificate(url, trust);
    },
    'tls:importCa': async ({ host, pem }) => importCa(host, pem),
  };
}
