namespace GcTriage.Core.Tests;

/// <summary>Every exception becomes a catalogued ErrorId; the catalogue has no duplicates.</summary>
public sealed class ErrorCatalogTests
{
    [Fact]
    public void Every_id_is_listed_once_with_its_category()
    {
        var ids = typeof(ErrorCatalog).GetFields().Where(f => f.IsLiteral).Select(f => (string)f.GetRawConstantValue()!).ToList();
        Assert.Equal(ids.Count, ErrorCatalog.Entries.Count);
        Assert.Equal(ids.OrderBy(i => i), ErrorCatalog.Entries.Select(e => e.ErrorId).OrderBy(i => i));
    }

    [Fact]
    public void Dotnet_exceptions_map_to_catalogued_ids()
    {
        Assert.Equal(ErrorCatalog.InvalidData, ErrorCatalog.FromException(new BadImageFormatException("bad note")).ErrorId);
        Assert.Equal(ErrorCatalog.UnexpectedEndOfData, ErrorCatalog.FromException(new EndOfStreamException()).ErrorId);
        Assert.Equal(ErrorCatalog.AccessDenied, ErrorCatalog.FromException(new UnauthorizedAccessException()).ErrorId);
        Assert.Equal(ErrorCatalog.PathNotFound, ErrorCatalog.FromException(new FileNotFoundException()).ErrorId);
        Assert.Equal(ErrorCatalog.Unexpected, ErrorCatalog.FromException(new InvalidOperationException("cycle")).ErrorId);
        GcTriageException wrapped = ErrorCatalog.FromException(new InvalidOperationException("cycle"), "/x.dmp");
        Assert.IsType<InvalidOperationException>(wrapped.InnerException);
        Assert.Equal("/x.dmp", wrapped.Target);
        var own = new DumpClosedException("/x.dmp");
        Assert.Same(own, ErrorCatalog.FromException(own));
    }

    [Fact]
    public void A_real_write_to_a_full_device_is_DiskFull()
    {
        if (!OperatingSystem.IsLinux() || !File.Exists("/dev/full"))
        {
            return;
        }

        var e = Assert.ThrowsAny<IOException>(() =>
        {
            using var full = new FileStream("/dev/full", FileMode.Open, FileAccess.Write, FileShare.ReadWrite, 1);
            full.Write(new byte[4096]);
            full.Flush();
        });
        Assert.Equal(ErrorCatalog.DiskFull, ErrorCatalog.FromException(e).ErrorId);
    }
}
