package dev.staplekeeper.agent.store;

import dev.staplekeeper.agent.log.AgentLog;
import dev.staplekeeper.agent.ocsp.CertId;
import dev.staplekeeper.agent.ocsp.ValidatedResponse;
import dev.staplekeeper.agent.staple.HighWaterMark;
import dev.staplekeeper.agent.staple.ResponseStore;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Stores the last accepted response of each certificate in a directory, one file per certificate
 * named {@code <issuer key SHA-1>-<serial>.ocsp}, so that a restart during a responder outage keeps
 * stapling.
 *
 * <p>Each file holds the certificate, its issuer and the DER response (what re-validation needs),
 * followed by a SHA-256 of everything before it; no responder URL, nothing that steers a fetch.
 * Writes go to a temporary file named {@code .staplekeeper-<32 random hex>.tmp} that is fsynced and
 * then atomically renamed over the old one: a reader, a crash or a second server sharing the
 * directory never sees a torn file. Files are owner-only (0600, directory 0700 when created here).
 *
 * <p>The directory cannot be turned against the server:
 *
 * <ul>
 *   <li>It is resolved and opened once; where the platform offers a {@link SecureDirectoryStream}
 *       (Linux, macOS) every later read, write, rename and delete goes through that open directory,
 *       so a directory swapped for a symbolic link at run time is never written through. Elsewhere
 *       the directory's file key is checked before each operation.
 *   <li>A directory writable by group or others, or owned by another user, is reported with a
 *       WARNING, or refused ({@code requirePrivate}: memory only).
 *   <li>Only regular files are read, never symbolic links, FIFOs or devices (type checked without
 *       following links before opening, and opened with {@code NOFOLLOW_LINKS}); each file is read
 *       through a bound of {@value #MAX_FILE_BYTES} bytes and one load reads at most {@value
 *       #MAX_TOTAL_BYTES} bytes in all.
 *   <li>Only temporary files whose name has StapleKeeper's pattern, owned by this user and older
 *       than an hour (a writer still busy is never disturbed), are deleted; others are left alone.
 * </ul>
 *
 * <p>Nothing loaded is trusted: {@code StapleService.loadStored} re-validates every response like a
 * fetched one and uses it only for a certificate the server presents. Never throws: a directory
 * that cannot be created, read or written is logged once, clearly, and StapleKeeper goes on in
 * memory.
 */
public final class FileResponseStore implements ResponseStore {
  private static final AgentLog log = AgentLog.get(FileResponseStore.class);
  static final String SUFFIX = ".ocsp";
  static final String TEMP_PREFIX = ".staplekeeper-";
  static final String TEMP_SUFFIX = ".tmp";
  private static final Pattern OWN_TEMP = Pattern.compile("\\.staplekeeper-[0-9a-f]{32}\\.tmp");
  private static final byte[] MAGIC = {'S', 'K', 'O', 'R'};
  private static final int VERSION = 1;

  /** Two certificates and a response capped at 32 KiB fit many times over. */
  static final int MAX_FILE_BYTES = 256 * 1024;

  /** Bound of the high-water marks read at start: some 10 000 certificates. */
  static final long MAX_MARK_TOTAL_BYTES = 1024 * 1024;

  /** Bound of one load: 64 files of the largest size. */
  static final long MAX_TOTAL_BYTES = 16L * 1024 * 1024;

  private static final Duration STALE_TEMP = Duration.ofHours(1);
  private static final boolean POSIX =
      FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
  private static final LinkOption[] NOFOLLOW = {LinkOption.NOFOLLOW_LINKS};
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Path dir;
  private final StoreDirectory files;
  private volatile boolean writeWarned;
  private volatile long lastLoadBytes;

  private FileResponseStore(Path dir, StoreDirectory files) {
    this.dir = dir;
    this.files = files;
  }

  /** {@link #open(Path, boolean)} that warns about, but uses, a shared directory. */
  public static ResponseStore open(Path dir) {
    return open(dir, false);
  }

  /**
   * Opens (creating it if missing) the directory {@code dir}. Returns {@link ResponseStore#NONE}
   * with an ERROR line when it cannot be used at all, or when {@code requirePrivate} and it is
   * writable by group or others or owned by another user.
   */
  public static ResponseStore open(Path dir, boolean requirePrivate) {
    try {
      if (!Files.isDirectory(dir)) {
        if (POSIX) {
          Files.createDirectories(dir, ownerOnly(true));
        } else {
          Files.createDirectories(dir);
        }
        log.info("StapleKeeper created response store directory {}", dir);
      }
      Path real = dir.toRealPath();
      if (!Files.isReadable(real)) {
        log.error(
            "StapleKeeper cannot read the response store directory {} (cacheDir); responses are"
                + " kept in memory only. Fix its permissions for the server's user.",
            dir);
        return NONE;
      }
      String unsafe = unsafeBecause(real);
      if (unsafe != null) {
        if (requirePrivate) {
          log.error(
              "StapleKeeper refuses the response store directory {} (cacheDir): {}; responses are"
                  + " kept in memory only (cacheDirRequirePrivate=true). Use a directory only the"
                  + " server's user can write (chmod 700).",
              real,
              unsafe);
          return NONE;
        }
        log.warn(
            "StapleKeeper response store directory {} (cacheDir) is not private: {}; anyone who can"
                + " write there can plant or remove files. Use a directory only the server's user"
                + " can write (chmod 700), or set cacheDirRequirePrivate=true to refuse it.",
            real,
            unsafe);
      }
      if (!Files.isWritable(real)) {
        log.error(
            "StapleKeeper cannot write to the response store directory {} (cacheDir is read-only"
                + " for this user); stored responses are loaded but new ones are kept in memory"
                + " only.",
            dir);
      }
      return new FileResponseStore(real, StoreDirectory.open(real));
    } catch (IOException | RuntimeException e) {
      log.error(
          "StapleKeeper cannot use the response store directory {} (cacheDir): {}; responses are"
              + " kept in memory only.",
          dir,
          e.toString());
      return NONE;
    }
  }

  /** Why {@code dir} is not private to this user, or null when it is (or cannot be told). */
  static String unsafeBecause(Path dir) throws IOException {
    if (!POSIX) {
      return null;
    }
    PosixFileAttributes attrs = Files.readAttributes(dir, PosixFileAttributes.class, NOFOLLOW);
    List<String> problems = new ArrayList<>();
    Set<PosixFilePermission> perms = attrs.permissions();
    if (perms.contains(PosixFilePermission.GROUP_WRITE)) {
      problems.add("writable by its group " + attrs.group().getName());
    }
    if (perms.contains(PosixFilePermission.OTHERS_WRITE)) {
      problems.add("writable by others");
    }
    UserPrincipal me = StoreDirectory.me(dir);
    if (!attrs.owner().equals(me)) {
      problems.add("owned by " + attrs.owner().getName() + ", not by " + me.getName());
    }
    return problems.isEmpty()
        ? null
        : String.join(", ", problems) + " (" + PosixFilePermissions.toString(perms) + ")";
  }

  public Path directory() {
    return dir;
  }

  @Override
  public void save(X509Certificate cert, X509Certificate issuer, ValidatedResponse response) {
    String stem = response.certId().fileStem();
    String target = stem + SUFFIX;
    try {
      writeAtomically(target, encode(cert, issuer, response.der()));
      raiseMark(stem, HighWaterMark.of(response));
      files.sync();
      writeWarned = false;
      log.debug("stored OCSP response for {} in {}", response.certId(), dir.resolve(target));
    } catch (IOException | RuntimeException e) {
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

  /**
   * Writes {@code content} to a new temporary file, fsyncs it and renames it over {@code target};
   * the temporary file is removed on failure.
   */
  private void writeAtomically(String target, byte[] content) throws IOException {
    String tmp = TEMP_PREFIX + randomHex() + TEMP_SUFFIX;
    try {
      try (SeekableByteChannel ch = files.createNew(tmp)) {
        ByteBuffer buf = ByteBuffer.wrap(content);
        while (buf.hasRemaining()) {
          ch.write(buf);
        }
        if (ch instanceof FileChannel) {
          ((FileChannel) ch).force(true);
        }
      }
      files.rename(tmp, target);
    } catch (IOException | RuntimeException e) {
      try {
        files.delete(tmp);
      } catch (IOException | RuntimeException ignored) {
        // best effort
      }
      throw e;
    }
  }

  /**
   * Raises the persisted mark of {@code stem} to {@code mark}, never lowering it: a higher mark
   * already in the file (another server sharing the directory) is kept. An unreadable mark file is
   * replaced.
   */
  private void raiseMark(String stem, HighWaterMark mark) throws IOException {
    String name = MarkFile.name(stem);
    HighWaterMark old = null;
    try {
      old = MarkFile.decode(name, readRegular(name, MarkFile.MAX_BYTES));
    } catch (NoSuchFileException absent) {
      // the first response of this certificate
    } catch (IOException e) {
      log.warn(
          "StapleKeeper replaces unreadable high-water mark {}: {}",
          dir.resolve(name),
          e.getMessage());
    }
    if (old != null && !mark.isAbove(old)) {
      return;
    }
    writeAtomically(name, MarkFile.encode(stem, mark));
  }

  @Override
  public Map<String, HighWaterMark> loadMarks() {
    Map<String, HighWaterMark> out = new HashMap<>();
    long total = 0;
    try {
      for (String name : files.list()) {
        if (!name.endsWith(MarkFile.SUFFIX)) {
          continue;
        }
        if (total > MAX_MARK_TOTAL_BYTES) {
          log.warn(
              "StapleKeeper stopped loading high-water marks from {} after {} bytes ({} marks)",
              dir,
              total,
              out.size());
          break;
        }
        try {
          byte[] bytes = readRegular(name, MarkFile.MAX_BYTES);
          total += bytes.length;
          HighWaterMark m = MarkFile.decode(name, bytes);
          out.put(name.substring(0, name.length() - MarkFile.SUFFIX.length()), m);
        } catch (IOException | RuntimeException e) {
          log.warn(
              "StapleKeeper skipped high-water mark file {}: {}",
              dir.resolve(name),
              e.getMessage());
        }
      }
    } catch (IOException | RuntimeException e) {
      log.error(
          "StapleKeeper cannot list the response store directory {}: {}; starting without"
              + " high-water marks",
          dir,
          e.toString());
    }
    return out;
  }

  /**
   * The content of {@code name} if it is a regular file (checked without following links) of at
   * most {@code max} bytes; otherwise an IOException that says why.
   */
  private byte[] readRegular(String name, int max) throws IOException {
    BasicFileAttributes attrs = files.attributes(name);
    if (!attrs.isRegularFile()) {
      throw new IOException(
          (attrs.isSymbolicLink()
                  ? "it is a symbolic link"
                  : attrs.isDirectory() ? "it is a directory" : "it is a FIFO, socket or device")
              + ", not a regular file; only regular files are read");
    }
    if (attrs.size() > max) {
      throw new IOException(
          "it is " + attrs.size() + " bytes, larger than any stored response can be");
    }
    return files.read(name, max);
  }

  @Override
  public List<Stored> loadAll() {
    List<Stored> out = new ArrayList<>();
    long total = 0;
    try {
      for (String name : files.list()) {
        if (name.endsWith(TEMP_SUFFIX)) {
          removeStaleTemp(name);
          continue;
        }
        if (!name.endsWith(SUFFIX)) {
          continue;
        }
        try {
          long size = files.attributes(name).size(); // an oversized file is refused below
          if (size <= MAX_FILE_BYTES && total + size > MAX_TOTAL_BYTES) {
            log.warn(
                "StapleKeeper stopped loading stored responses from {} after {} bytes in {} files"
                    + " (at most {} bytes are read at start); the rest are fetched as needed",
                dir,
                total,
                out.size(),
                MAX_TOTAL_BYTES);
            break;
          }
          byte[] bytes = readRegular(name, MAX_FILE_BYTES);
          total += bytes.length;
          Stored s = decode(name, bytes);
          String expected = CertId.of(s.cert, s.issuer).fileStem() + SUFFIX;
          if (!expected.equals(name)) {
            throw new IOException(
                "its name does not match the certificate inside (" + expected + ")");
          }
          out.add(s);
        } catch (IOException | CertificateException | RuntimeException e) {
          log.warn(
              "StapleKeeper skipped stored response file {}: {}; it will not be stapled",
              dir.resolve(name),
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
    lastLoadBytes = total;
    return out;
  }

  /** Bytes read from files by the last {@link #loadAll}: never over {@value #MAX_TOTAL_BYTES}. */
  long bytesReadByLastLoad() {
    return lastLoadBytes;
  }

  @Override
  public void delete(CertId id, String why) {
    String name = id.fileStem() + SUFFIX;
    try {
      if (files.delete(name)) {
        log.info("StapleKeeper removed stored response {}: {}", dir.resolve(name), why);
      }
    } catch (IOException | RuntimeException e) {
      log.warn(
          "StapleKeeper could not remove stored response {}: {}", dir.resolve(name), e.toString());
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

  static Stored decode(String name, byte[] all) throws IOException, CertificateException {
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
    return new Stored(name, cert, issuer, der);
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

  static byte[] sha256(byte[] b) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(b);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Deletes {@code name} only if StapleKeeper made it: its pattern, this user's, over an hour old.
   */
  private void removeStaleTemp(String name) {
    if (!OWN_TEMP.matcher(name).matches()) {
      log.debug("left {} alone: not a temporary file of StapleKeeper", dir.resolve(name));
      return;
    }
    try {
      BasicFileAttributes attrs = files.attributes(name);
      if (attrs.isRegularFile()
          && files.ownedByMe(name)
          && attrs.lastModifiedTime().toInstant().isBefore(Instant.now().minus(STALE_TEMP))) {
        files.delete(name);
      }
    } catch (IOException | RuntimeException ignored) {
      // another process may have renamed or removed it
    }
  }

  private static String randomHex() {
    byte[] b = new byte[16];
    RANDOM.nextBytes(b);
    StringBuilder sb = new StringBuilder(32);
    for (byte x : b) {
      sb.append(Character.forDigit((x >> 4) & 0xf, 16)).append(Character.forDigit(x & 0xf, 16));
    }
    return sb.toString();
  }

  static FileAttribute<Set<PosixFilePermission>> ownerOnly(boolean directory) {
    return PosixFilePermissions.asFileAttribute(
        PosixFilePermissions.fromString(directory ? "rwx------" : "rw-------"));
  }
}
