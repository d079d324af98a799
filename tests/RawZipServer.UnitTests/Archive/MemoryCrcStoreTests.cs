using RawZipServer.Archive;

namespace RawZipServer.UnitTests.Archive;

public sealed class MemoryCrcStoreTests
{
    [Fact]
    public void RecordsAVersionThenItsCrc()
    {
        var store = new MemoryCrcStore(10);
        store.RecordVersion("e", 1, "\"v1\"", 5);
        Assert.Equal(new CrcRecord("\"v1\"", 5, null, false), store.Find("e", 1));
        store.RecordCrc("e", 1, "\"v1\"", 5, 42);
        Assert.Equal(new CrcRecord("\"v1\"", 5, 42u, false), store.Find("e", 1));
        Assert.Null(store.Find("e", 2));
        Assert.Null(store.Find("f", 1));
    }

    [Fact]
    public void ASecondVersionMarksTheRecordConflictedForGood()
    {
        var store = new MemoryCrcStore(10);
        store.RecordCrc("e", 0, "\"v1\"", 5, 42);
        store.RecordVersion("e", 0, "\"v2\"", 5);
        Assert.True(store.Find("e", 0)!.Conflicted);
        store.RecordVersion("e", 0, "\"v1\"", 5);
        Assert.True(store.Find("e", 0)!.Conflicted);
    }

    [Fact]
    public void TheLeastRecentlyUsedGoesFirst()
    {
        var store = new MemoryCrcStore(2);
        store.RecordVersion("e", 0, "a", 1);
        store.RecordVersion("e", 1, "b", 1);
        Assert.NotNull(store.Find("e", 0)); // 0 is now the most recent
        store.RecordVersion("e", 2, "c", 1);
        Assert.Equal(2, store.Count);
        Assert.NotNull(store.Find("e", 0));
        Assert.Null(store.Find("e", 1));
        Assert.NotNull(store.Find("e", 2));
    }

    [Fact]
    public void ZeroEntriesRemembersNothing()
    {
        var store = new MemoryCrcStore(0);
        store.RecordCrc("e", 0, "a", 1, 1);
        Assert.Null(store.Find("e", 0));
    }
}
