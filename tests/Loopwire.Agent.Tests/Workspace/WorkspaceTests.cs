using Loopwire.Agent.Workspaces;
using static Loopwire.Agent.Tests.TestKit;

namespace Loopwire.Agent.Tests.Workspaces;

public sealed class WorkspaceTests : IDisposable
{
    private readonly ScratchRepo _source = new ScratchRepo()
        .With("README.md", "hello\n")
        .With("pkg/mod.py", "x = 1\n")
        .With("pkg/__pycache__/mod.cpython-311.pyc", "bytecode")
        .With(".loopwire/scenario.json", "{}");

    private readonly string _outside = Directory.CreateTempSubdirectory("loopwire-test-outside-").FullName;

    public WorkspaceTests() => File.WriteAllText(Path.Combine(_outside, "secret.txt"), "top secret\n");

    public void Dispose()
    {
        _source.Dispose();
        Directory.Delete(_outside, recursive: true);
    }

    [Fact]
    public void Create_CopiesEverything_ExceptHiddenFolderAndBytecode()
    {
        using var ws = Workspace.Create(_source.Root);

        Assert.NotEqual(_source.Root, ws.Root);
        Assert.Equal(["README.md", "pkg/mod.py"], ws.ListFiles());
        Assert.False(Directory.Exists(Path.Combine(ws.Root, Workspace.HiddenFolderName)));
        Assert.Equal("x = 1\n", File.ReadAllText(Path.Combine(ws.Root, "pkg/mod.py")));
    }

    [Theory]
    [InlineData("../secret.txt")]
    [InlineData("pkg/../../secret.txt")]
    [InlineData("pkg/..")]
    [InlineData("..\\secret.txt")]
    public void TryResolve_DotDotSegments_Refused(string path)
    {
        using var ws = Workspace.Create(_source.Root);

        Assert.False(ws.TryResolve(path, out _, out var error));
        Assert.Contains("'..'", error, StringComparison.Ordinal);
    }

    [Fact]
    public void TryResolve_AbsolutePath_Refused()
    {
        using var ws = Workspace.Create(_source.Root);

        Assert.False(ws.TryResolve(Path.Combine(_outside, "secret.txt"), out _, out var error));
        Assert.Contains("absolute paths are not allowed", error, StringComparison.Ordinal);
        Assert.False(ws.TryResolve(Path.Combine(ws.Root, "README.md"), out _, out _));
    }

    [Fact]
    public void TryResolve_SymlinkToOutsideFile_Refused()
    {
        using var ws = Workspace.Create(_source.Root);
        File.CreateSymbolicLink(Path.Combine(ws.Root, "pkg/leak.txt"), Path.Combine(_outside, "secret.txt"));

        Assert.False(ws.TryResolve("pkg/leak.txt", out _, out var error));
        Assert.Contains("outside the workspace", error, StringComparison.Ordinal);
    }

    [Fact]
    public void TryResolve_SymlinkedDirectoryComponentOutside_Refused()
    {
        using var ws = Workspace.Create(_source.Root);
        Directory.CreateSymbolicLink(Path.Combine(ws.Root, "pkg/out"), _outside);

        Assert.False(ws.TryResolve("pkg/out/secret.txt", out _, out var error));
        Assert.Contains("outside the workspace", error, StringComparison.Ordinal);
        Assert.False(ws.TryResolve("pkg/out/not-there-yet.txt", out _, out _));
    }

    [Fact]
    public void TryResolve_RelativeSymlinkClimbingOut_Refused()
    {
        using var ws = Workspace.Create(_source.Root);
        Directory.CreateSymbolicLink(Path.Combine(ws.Root, "pkg/up"), "../..");

        Assert.False(ws.TryResolve("pkg/up", out _, out _));
        Assert.False(ws.TryResolve("pkg/up/anything", out _, out _));
    }

    [Fact]
    public void TryResolve_SymlinkInsideWorkspace_Allowed()
    {
        using var ws = Workspace.Create(_source.Root);
        File.CreateSymbolicLink(Path.Combine(ws.Root, "alias.py"), "pkg/mod.py");

        Assert.True(ws.TryResolve("alias.py", out var full, out _));
        Assert.Equal(Path.Combine(ws.Root, "pkg", "mod.py"), full);
    }

    [Fact]
    public void TryResolve_SymlinkLoop_Refused()
    {
        using var ws = Workspace.Create(_source.Root);
        File.CreateSymbolicLink(Path.Combine(ws.Root, "a"), "b");
        File.CreateSymbolicLink(Path.Combine(ws.Root, "b"), "a");

        Assert.False(ws.TryResolve("a", out _, out var error));
        Assert.Contains("symbolic links", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData(".")]
    [InlineData("./pkg/./mod.py")]
    [InlineData("pkg//mod.py")]
    public void TryResolve_RelativePaths_StayInside(string path)
    {
        using var ws = Workspace.Create(_source.Root);

        Assert.True(ws.TryResolve(path, out var full, out _));
        Assert.StartsWith(ws.Root, full, StringComparison.Ordinal);
    }

    [Fact]
    public void ListFiles_SkipsSymlinks()
    {
        using var ws = Workspace.Create(_source.Root);
        Directory.CreateSymbolicLink(Path.Combine(ws.Root, "out"), _outside);
        File.CreateSymbolicLink(Path.Combine(ws.Root, "leak.txt"), Path.Combine(_outside, "secret.txt"));

        Assert.Equal(["README.md", "pkg/mod.py"], ws.ListFiles());
    }

    [Fact]
    public void Dispose_DeletesCopy_ButNotSymlinkTargets()
    {
        var ws = Workspace.Create(_source.Root);
        Directory.CreateSymbolicLink(Path.Combine(ws.Root, "out"), _outside);

        ws.Dispose();
        ws.Dispose();

        Assert.False(Directory.Exists(ws.Root));
        Assert.True(File.Exists(Path.Combine(_outside, "secret.txt")));
        Assert.True(File.Exists(Path.Combine(_source.Root, "pkg/mod.py")));
    }

    [Fact]
    public void Diff_Unchanged_IsEmpty_AndSnapshotsOfTwoCopiesAreEqual()
    {
        using var a = Workspace.Create(_source.Root);
        using var b = Workspace.Create(_source.Root);

        Assert.Equal("", a.Diff());
        Assert.Equal(a.Snapshot(), b.Snapshot());
        Assert.StartsWith("README.md ", a.Snapshot(), StringComparison.Ordinal);
    }

    [Fact]
    public void Diff_ReportsModifiedAddedDeleted_SortedByPath()
    {
        using var ws = Workspace.Create(_source.Root);
        File.WriteAllText(Path.Combine(ws.Root, "pkg/mod.py"), "x = 2\n");
        File.WriteAllText(Path.Combine(ws.Root, "new.py"), "y = 1\n");
        File.Delete(Path.Combine(ws.Root, "README.md"));

        var lines = ws.Diff().TrimEnd('\n').Split('\n');

        Assert.Equal(3, lines.Length);
        Assert.Equal("D README.md", lines[0]);
        Assert.StartsWith("A new.py ", lines[1], StringComparison.Ordinal);
        Assert.StartsWith("M pkg/mod.py ", lines[2], StringComparison.Ordinal);
        Assert.Equal(64, lines[2].Split(' ')[2].Length);
    }

    [Fact]
    public void Create_MissingSource_Throws()
    {
        Assert.Throws<DirectoryNotFoundException>(() => Workspace.Create(Path.Combine(_outside, "nope")));
    }
}
