using System.Text;

namespace Loopwire.Agent.Tools;

/// <summary>
/// Seeded pseudo-random numbers derived from a seed and a key (FNV-1a, then SplitMix64), so a decision depends only on
/// what is being decided, never on the order in which parallel calls reach a shared generator.
/// </summary>
internal struct StableRandom
{
    private ulong _state;

    public StableRandom(int seed, string key)
    {
        ulong hash = 14695981039346656037UL ^ (ulong)(uint)seed;
        foreach (var b in Encoding.UTF8.GetBytes(key))
        {
            hash = (hash ^ b) * 1099511628211UL;
        }

        _state = hash;
    }

    public StableRandom(int seed, long index)
        : this(seed, index.ToString(System.Globalization.CultureInfo.InvariantCulture))
    {
    }

    /// <summary>A uniform double in [0, 1).</summary>
    public double NextDouble() => (Next() >> 11) * (1.0 / (1UL << 53));

    /// <summary>A standard normal sample (Box-Muller).</summary>
    public double NextGaussian()
    {
        double u1 = 1.0 - NextDouble();
        double u2 = NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    private ulong Next()
    {
        ulong z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
