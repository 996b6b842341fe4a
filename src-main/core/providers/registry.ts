import { KeydeskError } from '../errors';
import type { ProviderAdapter, ProviderDescriptor } from './adapter';

// Every sibling module that exports `adapter` is a provider: dropping in a file is all it takes.
const modules = import.meta.glob<{ adapter?: ProviderAdapter }>(['./*.ts', '!./adapter.ts', '!./registry.ts', '!./http.ts'], {
  eager: true,
});

const adapters = new Map<string, ProviderAdapter>();
for (const module of Object.values(modules)) {
  if (module.adapter) adapters.set(module.adapter.descriptor.id, module.adapter);
}

export function providerDescriptors(): ProviderDescriptor[] {
  return [...adapters.values()].map((adapter) => adapter.descriptor).sort((a, b) => a.name.localeCompare(b.name));
}

export function getAdapter(providerId: string): ProviderAdapter {
  const adapter = adapters.get(providerId);
  if (!adapter) throw new KeydeskError({ code: 'INVALID_INPUT', message: `Unknown provider "${providerId}".` });
  return adapter;
}
