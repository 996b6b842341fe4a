import { homedir } from 'node:os';
import { previewImport, runImport } from '../../core/ecosystem/importer';
import { revealedSnippet, snippets } from '../../core/ecosystem/snippets';
import type { AppContext } from '../app-context';
import type { Handlers } from '../contract';

type EcosystemHandlers = Pick<Handlers, 'import:scan' | 'import:run' | 'credentials:snippets' | 'credentials:revealForSnippet'>;

export function ecosystemHandlers(ctx: AppContext): EcosystemHandlers {
  const location = () => ({ home: homedir(), env: process.env });
  return {
    'import:scan': async () => previewImport(ctx.vault, location()),
    'import:run': async ({ sources, removePlaintext }) => {
      const result = await runImport(ctx.vault, location(), sources, removePlaintext);
      if (result.imported.length) ctx.events.emit('credentials:changed', { ids: result.imported.map((r) => r.id) });
      return result;
    },
    'credentials:snippets': async ({ id }) => snippets(ctx.vault.get(id), ctx.vault.list(), ctx.cliCommand),
    'credentials:revealForSnippet': async ({ id, kind }) => {
      const { secretAccessKey } = await ctx.vault.connection(id);
      return revealedSnippet(kind, ctx.vault.get(id), ctx.vault.list(), secretAccessKey);
    },
  };
}
