package dev.staplekeeper.agent.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.UserPrincipal;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The response store's directory, opened once; every operation names a file inside it by its bare
 * name and never follows a symbolic link.
 *
 * <p>Where the platform offers a {@link SecureDirectoryStream} (Linux, macOS) the directory stays
 * open and every operation goes through its descriptor ({@code openat}, {@code renameat}, {@code
 * unlinkat}): replacing the directory's path with a symbolic link at run time changes nothing.
 * Elsewhere, operations go through the real path resolved at start, after checking that it still is
 * the same directory (file key), and refuse otherwise.
 *
 * <p>{@link #read} never blocks on a FIFO: callers check the type first without following links,
 * and the file is opened read-write where allowed (which returns at once even for a FIFO swapped in
 * after the check) and read only up to the size its descriptor reports, bounded by the caller.
 */
abstract class StoreDirectory {
  private static final boolean POSIX =
      FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
  static final LinkOption[] NOFOLLOW = {LinkOption.NOFOLLOW_LINKS};

  final Path path;

  private StoreDirectory(Path path) {
    this.path = path;
  }

  /** Opens {@code real} (already resolved with {@link Path#toRealPath}). */
  static StoreDirectory open(Path real) throws IOException {
    DirectoryStream<Path> stream = Files.newDirectoryStream(real);
    if (stream instanceof SecureDirectoryStream) {
      return new Secure(real, (SecureDirectoryStream<Path>) stream);
    }
    stream.close();
    return new Checked(real);
  }

  /** The names in the directory. */
  abstract List<String> list() throws IOException;

  /** The attributes of {@code name} itself (a link is reported as a link). */
  abstract BasicFileAttributes attributes(String name) throws IOException;

  /** True when {@code name} is owned by the user the JVM runs as. */
  abstract boolean ownedByMe(String name) throws IOException;

  /** Creates {@code name} (it must not exist), owner-only, for writing. */
  abstract SeekableByteChannel createNew(String name) throws IOException;

  abstract SeekableByteChannel open(String name, Set<OpenOption> options) throws IOException;

  /** Atomically renames {@code from} to {@code to}, replacing {@code to}. */
  abstract void rename(String from, String to) throws IOException;

  /** Deletes {@code name}; false when it did not exist. */
  abstract boolean delete(String name) throws IOException;

  /** Makes renames durable where the file system allows; best effort. */
  abstract void sync();

  /**
   * The content of the regular file {@code name}, at most {@code max} bytes; an empty file, a file
   * of another type swapped in after the caller's check, or a larger one is an IOException.
   */
  final byte[] read(String name, int max) throws IOException {
    SeekableByteChannel ch;
    try {
      // O_RDWR: opening a FIFO this way returns at once, where O_RDONLY waits for a writer
      ch =
          open(
              name,
              Set.of(StandardOpenOption.READ, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS));
    } catch (AccessDeniedException e) {
      ch = open(name, Set.of(StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS));
    }
    try (SeekableByteChannel c = ch) {
      long size = c.size();
      if (size == 0) {
        throw new IOException("file is empty (or not a regular file)");
      }
      if (size > max) {
        throw new IOException("file is " + size + " bytes, larger than any stored response can be");
      }
      ByteBuffer buf = ByteBuffer.allocate((int) size);
      while (buf.hasRemaining() && c.read(buf) > 0) {
        // bounded by the buffer
      }
      if (buf.hasRemaining()) {
        throw new IOException("file is truncated (shrank while read)");
      }
      return buf.array();
    }
  }

  static UserPrincipal me(Path dir) throws IOException {
    return dir.getFileSystem()
        .getUserPrincipalLookupService()
        .lookupPrincipalByName(System.getProperty("user.name"));
  }

  private static Set<OpenOption> createOptions() {
    return Set.of(
        StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
  }

  private static FileAttribute<?>[] createAttributes() {
    return POSIX
        ? new FileAttribute<?>[] {FileResponseStore.ownerOnly(false)}
        : new FileAttribute<?>[0];
  }

  /** Through the descriptor of the directory opened at start. */
  private static final class Secure extends StoreDirectory {
    private final SecureDirectoryStream<Path> dir;
    private final Path self = Path.of(".");

    Secure(Path path, SecureDirectoryStream<Path> dir) {
      super(path);
      this.dir = dir;
    }

    @Override
    List<String> list() throws IOException {
      List<String> names = new ArrayList<>();
      try (SecureDirectoryStream<Path> again = dir.newDirectoryStream(self, NOFOLLOW)) {
        for (Path p : again) {
          names.add(p.getFileName().toString());
        }
      }
      return names;
    }

    @Override
    BasicFileAttributes attributes(String name) throws IOException {
      return dir.getFileAttributeView(Path.of(name), BasicFileAttributeView.class, NOFOLLOW)
          .readAttributes();
    }

    @Override
    boolean ownedByMe(String name) throws IOException {
      PosixFileAttributeView view =
          dir.getFileAttributeView(Path.of(name), PosixFileAttributeView.class, NOFOLLOW);
      return view == null || view.readAttributes().owner().equals(me(path));
    }

    @Override
    SeekableByteChannel createNew(String name) throws IOException {
      return dir.newByteChannel(Path.of(name), createOptions(), createAttributes());
    }

    @Override
    SeekableByteChannel open(String name, Set<OpenOption> options) throws IOException {
      return dir.newByteChannel(Path.of(name), options);
    }

    @Override
    void rename(String from, String to) throws IOException {
      dir.move(Path.of(from), dir, Path.of(to));
    }

    @Override
    boolean delete(String name) throws IOException {
      try {
        dir.deleteFile(Path.of(name));
        return true;
      } catch (NoSuchFileException e) {
        return false;
      }
    }

    @Override
    void sync() {
      try (SeekableByteChannel ch = dir.newByteChannel(self, Set.of(StandardOpenOption.READ))) {
        if (ch instanceof FileChannel) {
          ((FileChannel) ch).force(true);
        }
      } catch (IOException | RuntimeException ignored) {
        // not every file system lets a directory be fsynced; the rename is still atomic
      }
    }
  }

  /** Through the real path, refused once it no longer is the directory opened at start. */
  private static final class Checked extends StoreDirectory {
    private final Object key;

    Checked(Path path) throws IOException {
      super(path);
      this.key = Files.readAttributes(path, BasicFileAttributes.class, NOFOLLOW).fileKey();
    }

    private Path file(String name) throws IOException {
      BasicFileAttributes now = Files.readAttributes(path, BasicFileAttributes.class, NOFOLLOW);
      if (!now.isDirectory() || !Objects.equals(key, now.fileKey())) {
        throw new IOException(
            path + " is no longer the directory opened at start (replaced or a symbolic link)");
      }
      return path.resolve(name);
    }

    @Override
    List<String> list() throws IOException {
      List<String> names = new ArrayList<>();
      try (DirectoryStream<Path> s = Files.newDirectoryStream(file("."))) {
        for (Path p : s) {
          names.add(p.getFileName().toString());
        }
      }
      return names;
    }

    @Override
    BasicFileAttributes attributes(String name) throws IOException {
      return Files.readAttributes(file(name), BasicFileAttributes.class, NOFOLLOW);
    }

    @Override
    boolean ownedByMe(String name) throws IOException {
      return Files.getOwner(file(name), NOFOLLOW).equals(me(path));
    }

    @Override
    SeekableByteChannel createNew(String name) throws IOException {
      return Files.newByteChannel(file(name), createOptions(), createAttributes());
    }

    @Override
    SeekableByteChannel open(String name, Set<OpenOption> options) throws IOException {
      return Files.newByteChannel(file(name), options);
    }

    @Override
    void rename(String from, String to) throws IOException {
      try {
        Files.move(
            file(from),
            file(to),
            StandardCopyOption.ATOMIC_MOVE,
            StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(file(from), file(to), StandardCopyOption.REPLACE_EXISTING);
      }
    }

    @Override
    boolean delete(String name) throws IOException {
      return Files.deleteIfExists(file(name));
    }

    @Override
    void sync() {
      // directories cannot be fsynced portably; the rename is still atomic
    }
  }
}
