import https from 'node:https';

/** A raw HTTPS call to the API server (tests): bearer token or none, JSON body parsed when possible. */
export function apiRequest(options: {
  url: string;
  ca: string;
  token?: string;
  method?: string;
  path: string;
  body?: unknown;
  contentType?: string;
  accept?: string;
  // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON answers
}): Promise<{ status: number; body: any; text: string }> {
  return new Promise((resolve, reject) => {
    const payload =
      options.body === undefined
        ? undefined
        : typeof options.body === 'string'
          ? options.body
          : JSON.stringify(options.body);
    const request = https.request(
      new URL(options.path, options.url),
      {
        method: options.method ?? 'GET',
        ca: options.ca,
        headers: {
          ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
          ...(payload === undefined
            ? {}
            : {
                'content-type': options.contentType ?? 'application/json',
                'content-length': Buffer.byteLength(payload),
              }),
          ...(options.accept ? { accept: options.accept } : {}),
        },
      },
      (response) => {
        let text = '';
        response.on('data', (chunk) => (text += chunk));
        response.on('end', () => {
          let body: unknown;
          try {
            body = JSON.parse(text);
          } catch {
            body = undefined;
          }
          resolve({ status: response.statusCode ?? 0, body, text });
        });
      },
    );
    request.on('error', reject);
    request.end(payload);
  });
}
