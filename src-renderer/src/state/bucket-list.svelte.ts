import type { BucketSummary, ErrorInfo } from '../../../src-main/ipc/contract';
import { api, errorInfo } from '../lib/api';

export class BucketListState {
  buckets = $state<BucketSummary[]>([]);
  loading = $state(false);
  /** A first answer (list or error) has arrived. */
  loaded = $state(false);
  error = $state<ErrorInfo>();

  async load(credentialId: string): Promise<void> {
    this.loading = true;
    this.error = undefined;
    try {
      this.buckets = await api.buckets.list({ credentialId });
    } catch (error) {
      this.buckets = [];
      this.error = errorInfo(error);
    } finally {
      this.loading = false;
      this.loaded = true;
    }
  }

  async create(credentialId: string, name: string, region?: string): Promise<void> {
    await api.buckets.create({ credentialId, name, region });
    await this.load(credentialId);
  }

  async remove(credentialId: string, name: string): Promise<void> {
    await api.buckets.delete({ credentialId, name });
    await this.load(credentialId);
  }
}
