package dev.staplekeeper.agent.store;

import dev.staplekeeper.agent.log.AgentLog;
import dev.staplekeeper.agent.ocsp.CertId;
import dev.staplekeeper.agent.ocsp.ValidatedResponse;
import dev.staplekeeper.agent.staple.ResponseStore;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Stores the last accepted response of each certificate in a directory, one file per certificate
 * named {@code <issuer key SHA-1>-<serial>.ocsp}, so that a restart during a responder outage keeps
 * stapling.
 *
 * <p>Each file holds the certificate, its issuer and the DER response (what re-validation needs),
 * followed by a SHA-256 of everything before it. Writes go to a private temporary file that is
 * fsynced and then atomically renamed over the old one: a reader, a crash or a second server
 * sharing the directory never sees a torn file. Files are owner-only (0600, directory 0700 when
 * created here). Nothing here is trusted: {@code StapleService.loadStored} re-validates every
 * loaded response like a fetched one.
 *
 * <p>Never throws: a directory that cannot be created, read or written is logged once, clearly, and
 * StapleKeeper goes on in memory.
 */
public final class FileResponseStore implements ResponseStore {
  private static final AgentLog log = AgentLog.get(FileResponseStore.class);
  static final String SUFFIX = ".ocsp";
  private static final byte[] MAGIC = {'S', 'K', 'O', 'R'};
  private static final int VERSION = 1;
  private static final int MAX_FILE_BYTES = 1 << 20;
  private static final Duration STALE_TEMP = Duration.ofHours(1);
  private static final boolean POSIX =
      FileSystems.getDefault().supportedFileAttributeViews().contains("posix");

  private final Path dir;
  private volatile boolean writeWarned;

  private FileResponseStore(Path dir) {
    this.dir = dir;
  }

  /**
   * Opens (creating it if missing) the directory {@code dir}. Returns {@link ResponseStore#NONE}
   * with an ERROR line when it cannot be used at all.
   */
  public static ResponseStore open(Path dir) {
    try {
      if (!Files.isDirectory(dir)) {
        if (POSIX) {
          Files.createDirectories(dir, ownerOnly(true));
        } else {
          Files.createDirectories(dir);
        }
        log.info("StapleKeeper created response store directory {}", dir);
      }
      if (!Files.isReadable(dir)) {
        log.error(
            "StapleKeeper cannot read the response store directory {} (cacheDir); responses are"
                + " kept in memory only. Fix its permissions for the server's user.",
            dir);
        return NONE;
      }
      if (!Files.isWritable(dir)) {
        log.error(
            "StapleKeeper cannot write to the response store directory {} (cacheDir is read-only"
                + " for this user); stored responses are loaded but new ones are kept in memory"
                + " only.",
            dir);
      }
      return new FileResponseStore(dir);
    } catch (IOException | RuntimeException e) {
      log.error(
          "StapleKeeper cannot use the response store directory {} (cacheDir): {}; responses are"
              + " kept in memory only.",
          dir,
          e.toString());
      return NONE;
    }
  }

  public Path directory() {
    return dir;
  }

  @Override
  public void save(X509Certificate cert, X509Certificate issuer, ValidatedResponse response) {
    Path target = dir.resolve(response.certId().fileStem() + SUFFIX);
    Path tmp =
        dir.resolve(
            "."
                + response.certId().fileStem()
                + "."
                + ProcessHandle.current().pid()
                + "."
                + Long.toHexString(ThreadLocalRandom.current().nextLong())
                + ".tmp");
    try {
      byte[] content = encode(cert, issuer, response.der());
      try (FileChannel ch =
          POSIX
              ? FileChannel.open(
                  tmp,
                  Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                  ownerOnly(false))
              : FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
        ByteBuffer buf = ByteBuffer.wrap(content);
        while (buf.hasRemaining()) {
          ch.write(buf);
        }
        ch.force(true);
      }
      try {
        Files.move(
            tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
      }
      syncDirectory();
      writeWarned = false;
      log.debug("stored OCSP response for {} in {}", response.certId(), target);
    } catch (IOException | RuntimeException e) {
      try {
        Files.deleteIfExists(tmp);
      } catch (IOException ignored) {
        // best effort
      }
      if (!writeWarned) {
        writeWarned = true;
        log.warn(
            "StapleKeeper could not store the OCSP response for {} in {}: {}; it is kept in memory"
                + " (this warning repeats only after a successful write)",
            response.certId(),
            dir,
            e.toString());
      }
    }
  }

  @Override
  public List<Stored> loadAll() {
    List<Stored> out = new ArrayList<>();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
      for (Path file : files) {
        String name = file.getFileName().toString();
        if (name.endsWith(".tmp")) {
          removeStaleTemp(file);
          continue;
        }
        if (!name.endsWith(SUFFIX)) {
          continue;
        }
        try {
          Stored s = decode(file);
          String expected = CertId.of(s.cert, s.issuer).fileStem() + SUFFIX;
          if (!expected.equals(name)) {
            throw new IOException(
                "its name does not match the certificate inside (" + expected + ")");
          }
          out.add(s);
        } catch (IOException | CertificateException | RuntimeException e) {
          log.warn(
              "StapleKeeper skipped stored response file {}: {}; it will not be stapled",
              file,
              e.getMessage());
        }
      }
    } catch (IOException | RuntimeException e) {
      log.error(
          "StapleKeeper cannot list the response store directory {}: {}; starting without stored"
              + " responses",
          dir,
          e.toString());
    }
    return out;
  }

  @Override
  public void delete(CertId id, String why) {
    Path file = dir.resolve(id.fileStem() + SUFFIX);
    try {
      if (Files.deleteIfExists(file)) {
        log.info("StapleKeeper removed stored response {}: {}", file, why);
      }
    } catch (IOException e) {
      log.warn("StapleKeeper could not remove stored response {}: {}", file, e.toString());
    }
  }

  static byte[] encode(X509Certificate cert, X509Certificate issuer, byte[] der)
      throws IOException {
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      DataOutputStream out = new DataOutputStream(bytes);
      out.write(MAGIC);
      out.writeInt(VERSION);
      writeBlock(out, cert.getEncoded());
      writeBlock(out, issuer.getEncoded());
      writeBlock(out, der);
      out.flush();
      out.write(sha256(bytes.toByteArray()));
      return bytes.toByteArray();
    } catch (java.security.cert.CertificateEncodingException e) {
      throw new IOException(e);
    }
  }

  static Stored decode(Path file) throws IOException, CertificateException {
    long size = Files.size(file);
    if (size > MAX_FILE_BYTES) {
      throw new IOException("file is " + size + " bytes, larger than any stored response can be");
    }
    byte[] all = Files.readAllBytes(file);
    if (all.length < MAGIC.length + 4 + 32) {
      throw new IOException("file is truncated (" + all.length + " bytes)");
    }
    byte[] body = Arrays.copyOf(all, all.length - 32);
    byte[] sum = Arrays.copyOfRange(all, all.length - 32, all.length);
    if (!Arrays.equals(MAGIC, Arrays.copyOf(all, MAGIC.length))) {
      throw new IOException("not a StapleKeeper response file (bad magic)");
    }
    if (!MessageDigest.isEqual(sha256(body), sum)) {
      throw new IOException("checksum mismatch: the file is truncated or corrupt");
    }
    DataInputStream in = new DataInputStream(new ByteArrayInputStream(body));
    in.skipBytes(MAGIC.length);
    int version = in.readInt();
    if (version != VERSION) {
      throw new IOException("unsupported file version " + version);
    }
    CertificateFactory cf = CertificateFactory.getInstance("X.509");
    X509Certificate cert =
        (X509Certificate) cf.generateCertificate(new ByteArrayInputStream(readBlock(in)));
    X509Certificate issuer =
        (X509Certificate) cf.generateCertificate(new ByteArrayInputStream(readBlock(in)));
    byte[] der = readBlock(in);
    return new Stored(file.getFileName().toString(), cert, issuer, der);
  }

  private static void writeBlock(DataOutputStream out, byte[] b) throws IOException {
    out.writeInt(b.length);
    out.write(b);
  }

  private static byte[] readBlock(DataInputStream in) throws IOException {
    int len = in.readInt();
    if (len < 0 || len > in.available()) {
      throw new IOException("corrupt block length " + len);
    }
    byte[] b = new byte[len];
    in.readFully(b);
    return b;
  }

  private static byte[] sha256(byte[] b) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(b);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private void removeStaleTemp(Path file) {
    try {
      FileTime modified = Files.getLastModifiedTime(file);
      if (modified.toInstant().isBefore(Instant.now().minus(STALE_TEMP))) {
        Files.deleteIfExists(file);
      }
    } catch (IOException ignored) {
      // another process may have renamed or removed it
    }
  }

  private void syncDirectory() {
    if (!POSIX) {
      return;
    }
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException ignored) {
      // not every file system lets a directory be fsynced; the rename is still atomic
    }
  }

  private static FileAttribute<Set<PosixFilePermission>> ownerOnly(boolean directory) {
    return PosixFilePermissions.asFileAttribute(
        PosixFilePermissions.fromString(directory ? "rwx------" : "rw-------"));
  }
}
