import { homedir } from 'node:os';
import { randomUUID } from 'node:crypto';
import { previewImport, runImport, testImport } from '../../core/ecosystem/importer';
import { revealedSnippet, snippets } from '../../core/ecosystem/snippets';
import type { AppContext } from '../app-context';
import type { Handlers } from '../contract';

type EcosystemHandlers = Pick<Handlers, 'import:scan' | 'import:test' | 'import:run' | 'credentials:snippets' | 'credentials:revealForSnippet'>;

export function ecosystemHandlers(ctx: AppContext): EcosystemHandlers {
  const location = () => ({ home: homedir(), env: process.env });
  return {
    'import:scan': async () => previewImport(ctx.vault, location()),
    'import:test': async ({ sources, operationId }) => ctx.operations.run(operationId, (progress) => testImport(ctx.vault, location(), sources, progress)),
    'import:run': async ({ sources, removePlaintext, saveAnyway, operationId }) => {
      const result = await ctx.operations.run(operationId ?? randomUUID(), (progress) =>
        runImport(ctx.vault, location(), sources, { ...progress, removePlaintext, saveAnyway, onSaved: (record, check) => ctx.health.record(record, check) }),
      );
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
