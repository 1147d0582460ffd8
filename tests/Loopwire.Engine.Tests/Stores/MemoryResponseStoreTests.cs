using Loopwire.Engine.Stores;

namespace Loopwire.Engine.Tests.Stores;

public sealed class MemoryResponseStoreTests() : ResponseStoreContractTests(new MemoryResponseStore());
