namespace RawZipServer.Zip;

/// <summary>The bytes of an entry contradict its header (size, CRC-32, 4 GiB limit): the archive cannot be completed.</summary>
internal sealed class ZipEntryMismatchException(string message) : Exception(message);
