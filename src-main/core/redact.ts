/**
 * Secrets must never reach logs or crash output. Every log line from main goes through `redact`, which
 * removes registered secret values and anything that looks like an Authorization/credential header.
 */
const knownSecrets = new Set<string>();

export function registerSecret(secret: string): void {
  if (secret.length >= 8) knownSecrets.add(secret);
}

export function forgetSecret(secret: string): void {
  knownSecrets.delete(secret);
}

const HEADER_PATTERNS: RegExp[] = [
  /(authorization["']?\s*[:=]\s*["']?)[^"'\n,}]+/gi,
  /(x-auth-token["']?\s*[:=]\s*["']?)[^"'\n,}]+/gi,
  /(x-sds-auth-token["']?\s*[:=]\s*["']?)[^"'\n,}]+/gi,
  /((?:secret|secretKey|secret_key|secretAccessKey|password)["']?\s*[:=]\s*["']?)[^"'\n,}]+/gi,
];

export function redact(text: string): string {
  let out = text;
  for (const secret of knownSecrets) out = out.split(secret).join('[redacted]');
  for (const pattern of HEADER_PATTERNS) out = out.replace(pattern, '$1[redacted]');
  return out;
}

export const log = {
  info: (message: string): void => void process.stdout.write(`${redact(message)}\n`),
  warn: (message: string): void => void process.stderr.write(`${redact(message)}\n`),
};
