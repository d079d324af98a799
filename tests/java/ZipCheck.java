import java.io.*;
import java.nio.charset.StandardCharsets;
import java.util.Enumeration;
import java.util.zip.*;

/**
 * Reads every entry of a ZIP archive with java.util.zip and prints "name\tsize\tcrc-hex" per entry.
 *   java ZipCheck file ARCHIVE    ZipFile (central directory). ZipFile does not check CRCs itself
 *                                 (ZIP-FORMAT.md §7), so the CRC-32 of the bytes read is compared
 *                                 with ZipEntry.getCrc(), and the byte count with getSize().
 *   java ZipCheck stream ARCHIVE  ZipInputStream (local headers only); it checks CRC and sizes itself
 *                                 at the end of each entry. It refuses stored entries with a data
 *                                 descriptor by design, so it applies only to archives without them.
 * Exit 0 when every entry reads back consistently, 1 otherwise.
 */
public final class ZipCheck {
    public static void main(String[] args) throws Exception {
        PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);
        byte[] buffer = new byte[1 << 16];
        if (args[0].equals("file")) {
            try (ZipFile zip = new ZipFile(new File(args[1]), StandardCharsets.UTF_8)) {
                Enumeration<? extends ZipEntry> entries = zip.entries();
                while (entries.hasMoreElements()) {
                    ZipEntry e = entries.nextElement();
                    CRC32 crc = new CRC32();
                    long n = 0;
                    try (InputStream in = zip.getInputStream(e)) {
                        int r;
                        while ((r = in.read(buffer)) > 0) { crc.update(buffer, 0, r); n += r; }
                    }
                    if (crc.getValue() != e.getCrc() || n != e.getSize()) {
                        System.err.printf("%s: read %d bytes crc %08x, entry says %d bytes crc %08x%n", e.getName(), n, crc.getValue(), e.getSize(), e.getCrc());
                        System.exit(1);
                    }
                    out.printf("%s\t%d\t%08x%n", e.getName(), n, crc.getValue());
                }
            }
        } else {
            try (ZipInputStream zip = new ZipInputStream(new BufferedInputStream(new FileInputStream(args[1]), 1 << 16), StandardCharsets.UTF_8)) {
                ZipEntry e;
                while ((e = zip.getNextEntry()) != null) {
                    CRC32 crc = new CRC32();
                    long n = 0;
                    int r;
                    while ((r = zip.read(buffer)) > 0) { crc.update(buffer, 0, r); n += r; }
                    out.printf("%s\t%d\t%08x%n", e.getName(), n, crc.getValue());
                }
            }
        }
    }
}
