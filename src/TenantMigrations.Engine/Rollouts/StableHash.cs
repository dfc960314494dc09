using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace TenantMigrations.Engine.Rollouts;

/// <summary>
/// A tenant name's place in a fixed order: the first 8 bytes of SHA-256 of the lower-cased name. Every runner on every
/// machine computes the same value, so percentages and partitions pick the same tenants every time.
/// </summary>
public static class StableHash
{
    public static ulong Of(string tenantName) =>
        BinaryPrimitives.ReadUInt64BigEndian(SHA256.HashData(Encoding.UTF8.GetBytes(tenantName.ToLowerInvariant())));

    /// <summary>The 0-based bucket of a name among <paramref name="count"/> buckets.</summary>
    public static int Bucket(string tenantName, int count) => (int)(Of(tenantName) % (ulong)count);
}
