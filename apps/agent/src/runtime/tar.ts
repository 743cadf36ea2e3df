/**
 * A one-file tar archive (POSIX ustar), what Docker's archive API takes to put a file into a
 * container. Pure; small enough not to need a tar library.
 */
const BLOCK = 512;

export function tarOf(name: string, content: string, mode = 0o644): Buffer {
  const body = Buffer.from(content);
  if (Buffer.byteLength(name) > 100) throw new Error(`tar: name too long: ${name}`);
  const header = Buffer.alloc(BLOCK);
  const put = (text: string, offset: number) => header.write(text, offset, 'ascii');
  const octal = (n: number, width: number) => `${n.toString(8).padStart(width - 1, '0')}\0`;
  put(name, 0);
  put(octal(mode, 8), 100);
  put(octal(0, 8), 108); // uid: root
  put(octal(0, 8), 116); // gid
  put(octal(body.length, 12), 124);
  put(octal(Math.floor(Date.now() / 1000), 12), 136);
  put('        ', 148); // the checksum counts its own field as spaces
  put('0', 156); // a regular file
  put('ustar\u000000', 257);
  let sum = 0;
  for (const byte of header) sum += byte;
  put(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
  const padding = Buffer.alloc((BLOCK - (body.length % BLOCK)) % BLOCK);
  return Buffer.concat([header, body, padding, Buffer.alloc(2 * BLOCK)]);
}
