import { z } from 'zod';
import { channel } from '../channel';

export interface BucketSummary {
  name: string;
  createdAt?: string;
}

export const bucketChannels = {
  'buckets:list': channel<BucketSummary[]>()(z.strictObject({ credentialId: z.uuid() })),
};
