using Loopwire.Engine.Compaction;
using Loopwire.Server.Hosting;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.Extensions.Options;

namespace Loopwire.Server.Compaction;

/// <summary>Registers Data Protection (application name <c>Loopwire</c>) and the compaction sealer over it.</summary>
internal static class CompactionServices
{
    public static IServiceCollection AddLoopwireCompaction(this IServiceCollection services)
    {
        services.AddDataProtection().SetApplicationName("Loopwire");
        services.AddOptions<KeyManagementOptions>()
            .Configure<IOptions<LoopwireServerOptions>, ILoggerFactory>((keys, loopwire, loggers) =>
            {
                // As PersistKeysToFileSystem, but from configuration read when the options are first used.
                if (loopwire.Value.Compaction.KeysDirectory is { Length: > 0 } dir)
                {
                    keys.XmlRepository = new FileSystemXmlRepository(Directory.CreateDirectory(dir), loggers);
                }
            });
        services.AddSingleton<ICompactionSealer, DataProtectionCompactionSealer>();
        return services;
    }
}
