namespace RawZipServer.Origin;

/// <summary>The configured origins by name, and the one used when a manifest entry names none.</summary>
internal sealed class OriginRegistry(IReadOnlyDictionary<string, Origin> origins, string? defaultName)
{
    public string? DefaultName { get; } = defaultName;

    public IReadOnlyDictionary<string, Origin> Origins { get; } = origins;

    public Origin? Find(string? name)
    {
        name ??= DefaultName;
        return name is not null && Origins.TryGetValue(name, out var origin) ? origin : null;
    }
}
