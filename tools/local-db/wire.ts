/**
 * Follows the message boundaries of the Postgres frontend (client → server) stream without buffering it,
 * to notice the Terminate message ('X'). Chunks may split or join messages arbitrarily.
 */
const SSL_REQUEST = 80877103;
const GSSENC_REQUEST = 80877104;
const TERMINATE = 0x58;

export class FrontendMessageTracker {
  /** Until the startup message is through, messages have no type byte. */
  private startup = true;
  private header = Buffer.alloc(0);
  private skip = 0;

  /** Feeds one chunk; returns true once a Terminate message has been seen. */
  push(chunk: Uint8Array): boolean {
    let offset = 0;
    while (offset < chunk.length) {
      if (this.skip > 0) {
        const n = Math.min(this.skip, chunk.length - offset);
        this.skip -= n;
        offset += n;
        continue;
      }
      const headerLength = this.startup ? 8 : 5;
      const need = headerLength - this.header.length;
      const take = chunk.subarray(offset, offset + need);
      this.header = Buffer.concat([this.header, take]);
      offset += take.length;
      if (this.header.length < headerLength) break;

      if (this.startup) {
        const length = this.header.readInt32BE(0);
        const code = this.header.readInt32BE(4);
        // SSL/GSS negotiation requests are followed by another startup message.
        if (code !== SSL_REQUEST && code !== GSSENC_REQUEST) this.startup = false;
        this.skip = length - 8;
      } else {
        const type = this.header[0];
        const length = this.header.readInt32BE(1);
        if (type === TERMINATE) return true;
        this.skip = length - 4;
      }
      this.header = Buffer.alloc(0);
    }
    return false;
  }
}
