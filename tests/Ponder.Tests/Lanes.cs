namespace Ponder.Tests;

/// <summary>
/// Test lanes. Tests that train for many steps, build models at real shapes or compile the sources carry
/// <c>[Trait(Lanes.Category, Lanes.Slow)]</c>; the fast lane leaves them out:
/// <c>dotnet test Ponder.sln -c Release --filter "Category!=Slow"</c>. The README's test command runs every lane.
/// </summary>
static class Lanes
{
    public const string Category = "Category";
    public const string Slow = "Slow";
}
