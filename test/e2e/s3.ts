// A local S3 server for the chart-to-process tests: s3rver (npm) in this process, on 127.0.0.1 and a free port,
// with its objects in a temporary directory. It stops with close() (and with the test process, since it lives in
// it). Clients must not block the event loop while they talk to it (spawn asynchronously).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from 's3rver';

export interface LocalS3 {
  endpoint: string;
  bucket: string;
  /** s3rver accepts exactly this key pair (signatures are checked). */
  accessKeyId: 'S3RVER';
  secretAccessKey: 'S3RVER';
  /** rclone.conf text with one remote `name` of type s3 pointing at this server */
  rcloneConf(name: string): string;
  close(): Promise<void>;
}

export async function startS3(bucket = 'lightning-e2e'): Promise<LocalS3> {
  const dir = mkdtempSync(join(tmpdir(), 'lightning-s3-'));
  // port 0: the kernel picks a free port (no race with other tests); s3rver returns the bound address.
  const server = new S3rver({ address: '127.0.0.1', port: 0, directory: dir, silent: true, configureBuckets: [{ name: bucket }] });
  let port: number;
  try {
    ({ port } = await server.run());
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`e2e: s3rver did not start: ${String(e)}`);
  }
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    endpoint, bucket, accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER',
    rcloneConf: (name) => [`[${name}]`, 'type = s3', 'provider = Other', `endpoint = ${endpoint}`,
      'access_key_id = S3RVER', 'secret_access_key = S3RVER', 'force_path_style = true', 'region = us-east-1', ''].join('\n'),
    close: async () => {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
