using Loopwire.Tests.Postgres;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace Loopwire.Engine.Tests.Stores;

/// <summary>Marks a conformance test class whose store is PostgreSQL: its cases skip when PostgreSQL is missing outside CI.</summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class RequiresPostgresAttribute : Attribute;

/// <summary>A conformance fact: runs for every store, and skips for a <see cref="RequiresPostgresAttribute"/> class without PostgreSQL.</summary>
[XunitTestCaseDiscoverer("Loopwire.Engine.Tests.Stores.StoreFactDiscoverer", "Loopwire.Engine.Tests")]
public sealed class StoreFactAttribute : FactAttribute;

/// <summary>A conformance theory: runs for every store, and skips for a <see cref="RequiresPostgresAttribute"/> class without PostgreSQL.</summary>
[XunitTestCaseDiscoverer("Loopwire.Engine.Tests.Stores.StoreTheoryDiscoverer", "Loopwire.Engine.Tests")]
public sealed class StoreTheoryAttribute : TheoryAttribute;

/// <summary>Discovers <see cref="StoreFactAttribute"/> cases; the class, not the method, decides whether they skip.</summary>
public sealed class StoreFactDiscoverer(IMessageSink diagnosticMessageSink) : FactDiscoverer(diagnosticMessageSink)
{
    private readonly IMessageSink _sink = diagnosticMessageSink;

    /// <inheritdoc />
    public override IEnumerable<IXunitTestCase> Discover(ITestFrameworkDiscoveryOptions discoveryOptions, ITestMethod testMethod,
        IAttributeInfo factAttribute) =>
        StoreSkip.For(testMethod) is { } reason
            ? [new XunitSkippedDataRowTestCase(_sink, discoveryOptions.MethodDisplayOrDefault(), discoveryOptions.MethodDisplayOptionsOrDefault(),
                testMethod, reason)]
            : base.Discover(discoveryOptions, testMethod, factAttribute);
}

/// <summary>Discovers <see cref="StoreTheoryAttribute"/> cases; the class, not the method, decides whether they skip.</summary>
public sealed class StoreTheoryDiscoverer(IMessageSink diagnosticMessageSink) : TheoryDiscoverer(diagnosticMessageSink)
{
    private readonly IMessageSink _sink = diagnosticMessageSink;

    /// <inheritdoc />
    /// <remarks>One skipped case for the whole theory (xUnit's own CreateTestCasesForSkip drops the reason).</remarks>
    public override IEnumerable<IXunitTestCase> Discover(ITestFrameworkDiscoveryOptions discoveryOptions, ITestMethod testMethod,
        IAttributeInfo theoryAttribute) =>
        StoreSkip.For(testMethod) is { } reason
            ? [new XunitSkippedDataRowTestCase(_sink, discoveryOptions.MethodDisplayOrDefault(), discoveryOptions.MethodDisplayOptionsOrDefault(),
                testMethod, reason)]
            : base.Discover(discoveryOptions, testMethod, theoryAttribute);
}

internal static class StoreSkip
{
    public static string? For(ITestMethod testMethod) =>
        testMethod.TestClass.Class.GetCustomAttributes(typeof(RequiresPostgresAttribute)).Any() ? PostgresCluster.SkipReason : null;
}
