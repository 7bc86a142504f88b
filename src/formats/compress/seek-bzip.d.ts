/**
 * The part of seek-bzip@2.0.0 (lib/index.js, lib/stream.js) this folder uses; the package ships no types.
 * Streams are duck-typed objects: decode() calls readByte/read on the input and writeByte on the output.
 */
declare module 'seek-bzip' {
  interface SeekBzipInput {
    /** The next byte. seek-bzip's own streams return -1 at EOF; ours throw instead. */
    readByte(): number;
    /** Fills `buffer[offset..offset+length)`; returns the count read (used for the 4-byte stream header). */
    read(buffer: Uint8Array, offset: number, length: number): number;
  }
  interface SeekBzipOutput {
    writeByte(byte: number): void;
  }
  interface Bunzip {
    /**
     * Decodes one bzip2 stream (or all concatenated ones when `multistream` and the input has eof()).
     * Throws TypeError with `errorCode` on bad data ("Not bzip data", "Data error", "Bad block CRC" ...).
     */
    decode(input: SeekBzipInput, output: SeekBzipOutput, multistream?: boolean): void;
  }
  const bunzip: Bunzip;
  export default bunzip;
}
