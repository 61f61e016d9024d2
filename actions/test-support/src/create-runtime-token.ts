import { createHmac } from 'node:crypto';

/** Options of {@link createRuntimeToken}. */
export interface CreateRuntimeTokenOptions {
  /** The workflow run's backend id (a UUID on GitHub). */
  runBackendId: string;
  /** The job's backend id. */
  jobBackendId: string;
  /** HMAC key the results service checks the signature with. */
  secret: string;
  /** Lifetime. Default 3600 s. */
  expiresInSeconds?: number;
}

/**
 * An `ACTIONS_RUNTIME_TOKEN` as the runner hands it to a job: an HS256 JWT whose `scp` claim holds
 * `Actions.Results:RUN:JOB`, which `@actions/artifact` reads to address its requests.
 */
export function createRuntimeToken(options: CreateRuntimeTokenOptions): string {
  const now = Math.floor(Date.now() / 1000);
  const header = { alg: 'HS256', typ: 'JWT' };
  const payload = {
    scp: `Actions.ExampleScope Actions.Results:${options.runBackendId}:${options.jobBackendId}`,
    iat: now,
    exp: now + (options.expiresInSeconds ?? 3600),
  };
  const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const unsigned = `${encode(header)}.${encode(payload)}`;
  return `${unsigned}.${createHmac('sha256', options.secret).update(unsigned).digest('base64url')}`;
}

/** The `Actions.Results` scope of a token signed with `secret`, or undefined when it is not valid. */
export function verifyRuntimeToken(options: {
  token: string;
  secret: string;
}): { runBackendId: string; jobBackendId: string } | undefined {
  const [header, payload, signature] = options.token.split('.');
  if (!header || !payload || !signature) return undefined;
  const expected = createHmac('sha256', options.secret).update(`${header}.${payload}`).digest('base64url');
  if (expected !== signature) return undefined;
  let claims: { scp?: unknown; exp?: unknown };
  try {
    claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as typeof claims;
  } catch {
    return undefined;
  }
  if (typeof claims.exp === 'number' && claims.exp < Date.now() / 1000) return undefined;
  if (typeof claims.scp !== 'string') return undefined;
  for (const scope of claims.scp.split(' ')) {
    const parts = scope.split(':');
    if (parts[0] === 'Actions.Results' && parts.length === 3 && parts[1] && parts[2]) {
      return { runBackendId: parts[1], jobBackendId: parts[2] };
    }
  }
  return undefined;
}
