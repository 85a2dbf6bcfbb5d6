// The transfer page's CRC-32 (js/crc32.js) against zlib's, which the kernel checks chunks with.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { test } from "node:test";
import zlib from "node:zlib";

import { crc32, crc32Hex } from "../../js/crc32.js";

test("the check value and the empty input", () => {
  assert.equal(crc32(new TextEncoder().encode("123456789")), 0xcbf43926);
  assert.equal(crc32(new Uint8Array(0)), 0);
  assert.equal(crc32Hex(new Uint8Array(0)), "00000000");
});

test("every length around the 8-byte steps, and any view or buffer, gives zlib's CRC", () => {
  const data = randomBytes(4099);
  for (let n = 0; n <= 40; n += 1) assert.equal(crc32(data.subarray(0, n)), zlib.crc32(data.subarray(0, n)), `${n} bytes`);
  const odd = data.subarray(3, 4000); // not at the buffer's start, not 8-aligned
  assert.equal(crc32(odd), zlib.crc32(odd));
  assert.equal(crc32(new DataView(odd.buffer, odd.byteOffset, odd.byteLength)), zlib.crc32(odd));
  const copy = new Uint8Array(odd).buffer;
  assert.equal(crc32(copy), zlib.crc32(odd));
  assert.equal(crc32Hex(odd), zlib.crc32(odd).toString(16).padStart(8, "0"));
});

test("a CRC continues across pieces, and one flipped bit changes it", () => {
  const data = randomBytes(1 << 20);
  assert.equal(crc32(data.subarray(5000), crc32(data.subarray(0, 5000))), zlib.crc32(data));
  const flipped = Uint8Array.from(data);
  flipped[123456] ^= 4;
  assert.notEqual(crc32(flipped), crc32(data));
});
