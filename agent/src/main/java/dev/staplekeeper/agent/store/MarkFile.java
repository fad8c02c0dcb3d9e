package dev.staplekeeper.agent.store;

import dev.staplekeeper.agent.staple.HighWaterMark;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.Arrays;

/**
 * The file format of a certificate's persisted {@link HighWaterMark}: {@code <stem>.mark} next to
 * {@code <stem>.ocsp}, kept when the response file expires or is replaced, so that neither a
 * restart nor a planted older response file lowers it.
 *
 * <p>Layout (big-endian): magic {@code SKHW}, version 1, the file stem (modified UTF-8, must match
 * the file name), thisUpdate (epoch seconds, nanos), a flag byte (1 = revoked), revocation time
 * (epoch seconds, nanos; {@link Long#MIN_VALUE} seconds when none), then a SHA-256 of everything
 * before it. Versions of StapleKeeper that predate marks ignore these files; this one refuses a
 * file of another version. At most {@value #MAX_BYTES} bytes.
 */
final class MarkFile {
  static final String SUFFIX = ".mark";
  static final int MAX_BYTES = 512;
  private static final byte[] MAGIC = {'S', 'K', 'H', 'W'};
  private static final int VERSION = 1;
  private static final int SHA256_BYTES = 32;

  private MarkFile() {}

  static String name(String stem) {
    return stem + SUFFIX;
  }

  static byte[] encode(String stem, HighWaterMark m) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(bytes);
    out.write(MAGIC);
    out.writeInt(VERSION);
    out.writeUTF(stem);
    writeInstant(out, m.thisUpdate());
    out.writeByte(m.revoked() ? 1 : 0);
    if (m.revocationTime() != null) {
      writeInstant(out, m.revocationTime());
    } else {
      out.writeLong(Long.MIN_VALUE);
      out.writeInt(0);
    }
    out.flush();
    out.write(FileResponseStore.sha256(bytes.toByteArray()));
    return bytes.toByteArray();
  }

  /** The mark in {@code all}, read from the file {@code name}; IOException when it is not one. */
  static HighWaterMark decode(String name, byte[] all) throws IOException {
    if (all.length < MAGIC.length + 4 + SHA256_BYTES || all.length > MAX_BYTES) {
      throw new IOException("not a high-water mark file (" + all.length + " bytes)");
    }
    byte[] body = Arrays.copyOf(all, all.length - SHA256_BYTES);
    byte[] sum = Arrays.copyOfRange(all, all.length - SHA256_BYTES, all.length);
    if (!Arrays.equals(MAGIC, Arrays.copyOf(all, MAGIC.length))) {
      throw new IOException("not a StapleKeeper high-water mark file (bad magic)");
    }
    if (!MessageDigest.isEqual(FileResponseStore.sha256(body), sum)) {
      throw new IOException("checksum mismatch: the file is truncated or corrupt");
    }
    DataInputStream in = new DataInputStream(new ByteArrayInputStream(body));
    in.skipBytes(MAGIC.length);
    int version = in.readInt();
    if (version != VERSION) {
      throw new IOException("unsupported high-water mark version " + version);
    }
    String stem = in.readUTF();
    if (!name.equals(name(stem))) {
      throw new IOException("its name does not match the certificate inside (" + name(stem) + ")");
    }
    Instant thisUpdate = readInstant(in);
    int flags = in.readUnsignedByte();
    if (flags > 1) {
      throw new IOException("unknown flags " + flags);
    }
    long revocationSeconds = in.readLong();
    int revocationNanos = in.readInt();
    Instant revocationTime =
        revocationSeconds == Long.MIN_VALUE ? null : instant(revocationSeconds, revocationNanos);
    if (in.available() != 0) {
      throw new IOException("trailing bytes");
    }
    return new HighWaterMark(thisUpdate, flags == 1, revocationTime);
  }

  private static void writeInstant(DataOutputStream out, Instant t) throws IOException {
    out.writeLong(t.getEpochSecond());
    out.writeInt(t.getNano());
  }

  private static Instant readInstant(DataInputStream in) throws IOException {
    return instant(in.readLong(), in.readInt());
  }

  private static Instant instant(long seconds, int nanos) throws IOException {
    try {
      return Instant.ofEpochSecond(seconds, nanos);
    } catch (RuntimeException e) {
      throw new IOException("corrupt time " + seconds + "s " + nanos + "ns");
    }
  }
}
