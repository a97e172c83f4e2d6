using AnprWatch.Worker;

namespace AnprWatch.Tests;

/// <summary>serve's memory of its store (the state file) read back whatever is in it: never a crash with a stack trace.</summary>
public class StoreMemoryTests
{
    /// <summary>
    /// Found by an attack: a state file holding the JSON literal <c>null</c> crashed serve's start with a
    /// NullReferenceException and a stack trace (exit 1) instead of the exit-2 message naming the file to delete.
    /// </summary>
    [TestCase("null")]
    [TestCase("[]")]
    [TestCase("42")]
    [TestCase("")]
    [TestCase("{\"storeId\":7}")]
    public void A_state_file_that_is_not_a_state_is_refused_naming_the_file_to_delete(string content)
    {
        var path = Path.Combine(Path.GetTempPath(), $"anprwatch-state-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, content);
        try
        {
            var refused = Assert.Throws<StoreMismatchException>(() => new StoreMemory(path).Read());
            Assert.That(refused!.Message, Does.Contain($"{path}, cannot be read").And.Contain("delete that file"));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Test]
    public void A_written_state_reads_back_and_leaves_no_temporary_file()
    {
        var directory = Directory.CreateTempSubdirectory("anprwatch-state-").FullName;
        var path = Path.Combine(directory, "a.db.serve-state.json");
        var memory = new StoreMemory(path);
        var at = new DateTimeOffset(2026, 11, 30, 23, 59, 0, TimeSpan.Zero);
        memory.Write(new StoreMemory.State("store-1", "h-1", at));
        Assert.That(memory.Read(), Is.EqualTo(new StoreMemory.State("store-1", "h-1", at)));
        Assert.That(Directory.GetFiles(directory), Is.EqualTo(new[] { path }));
        Directory.Delete(directory, recursive: true);
    }
}
