namespace RawZipServer.Archive;

/// <summary>
/// Remembers, per (archive ETag, entry index), the origin version an entry was streamed from and the
/// CRC-32 computed from it (SPEC §3 "CRCs the manifest does not give", case 3). An interface so that a
/// store shared by several instances can replace the in-memory one; the layout never depends on it.
/// </summary>
internal interface ICrcStore
{
    /// <summary>What is known of the entry, or null.</summary>
    CrcRecord? Find(string archiveETag, int entry);

    /// <summary>
    /// The entry's origin file was opened at <paramref name="validator"/>. Another validator than the one
    /// recorded marks the record <see cref="CrcRecord.Conflicted"/> for good: the client may hold bytes of either.
    /// </summary>
    void RecordVersion(string archiveETag, int entry, string validator, long size);

    /// <summary>The entry's whole data at <paramref name="validator"/> has CRC-32 <paramref name="crc"/>.</summary>
    void RecordCrc(string archiveETag, int entry, string validator, long size, uint crc);
}

/// <summary>One entry's record; immutable, replaced on change.</summary>
internal sealed record CrcRecord(string Validator, long Size, uint? Crc, bool Conflicted);

/// <summary>
/// The default store: in memory, least recently used dropped beyond <c>CrcStore:MaxEntries</c>. Touched
/// once when an entry opens and once when it completes (never per chunk), so one lock is cheap enough.
/// </summary>
internal sealed class MemoryCrcStore(int maxEntries) : ICrcStore
{
    private readonly Dictionary<(string, int), LinkedListNode<((string, int) Key, CrcRecord Record)>> _map = [];
    private readonly LinkedList<((string, int) Key, CrcRecord Record)> _recency = new();
    private readonly Lock _lock = new();

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _map.Count;
            }
        }
    }

    public CrcRecord? Find(string archiveETag, int entry)
    {
        lock (_lock)
        {
            if (!_map.TryGetValue((archiveETag, entry), out var node))
            {
                return null;
            }

            _recency.Remove(node);
            _recency.AddFirst(node);
            return node.Value.Record;
        }
    }

    public void RecordVersion(string archiveETag, int entry, string validator, long size) =>
        Update(archiveETag, entry, old => old is null ? new CrcRecord(validator, size, null, false)
            : old.Validator == validator && old.Size == size ? old
            : old with { Conflicted = true });

    public void RecordCrc(string archiveETag, int entry, string validator, long size, uint crc) =>
        Update(archiveETag, entry, old => old is null ? new CrcRecord(validator, size, crc, false)
            : old.Validator == validator && old.Size == size ? old with { Crc = crc }
            : old with { Conflicted = true });

    private void Update(string archiveETag, int entry, Func<CrcRecord?, CrcRecord> change)
    {
        if (maxEntries == 0)
        {
            return;
        }

        var key = (archiveETag, entry);
        lock (_lock)
        {
            if (_map.TryGetValue(key, out var node))
            {
                node.Value = (key, change(node.Value.Record));
                _recency.Remove(node);
                _recency.AddFirst(node);
                return;
            }

            _map[key] = _recency.AddFirst((key, change(null)));
            if (_map.Count > maxEntries)
            {
                var last = _recency.Last!;
                _recency.RemoveLast();
                _map.Remove(last.Value.Key);
            }
        }
    }
}
