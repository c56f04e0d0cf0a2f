// MSBuild inline task (RoslynCodeTaskFactory): makes TorchSharp 0.107's libLibTorchSharp.so load on hosts whose
// libstdc++ stops before GLIBCXX_3.4.32 (Debian 12, Ubuntu 22.04).
//
// Why this is safe: the library references exactly one symbol of that version, _ZSt21ios_base_library_initv, a
// link-time marker that GCC 13's <iostream> emits and that no relocation uses. Marking the version requirement weak
// (VER_FLG_WEAK in its Elf64_Vernaux entry) tells glibc's loader that a missing version is not fatal.
// The patch is applied only when the host lacks the version, only to the copies in the output folder (never to the
// NuGet cache), and is idempotent. See README.md, "Troubleshooting".
#nullable enable
using System;
using System.IO;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

public sealed class WeakenGlibcxxRequirement : Task
{
    const string Version = "GLIBCXX_3.4.32";
    const uint ShtGnuVerneed = 0x6ffffffe;
    const ushort VerFlgWeak = 0x2;

    /// <summary>Folder searched recursively for libLibTorchSharp.so.</summary>
    [Required]
    public string OutputDirectory { get; set; } = "";

    public override bool Execute()
    {
        if (!RuntimeInformation.IsOSPlatform(OSPlatform.Linux) || !Directory.Exists(OutputDirectory))
            return true;
        string? hostLib = FindHostLibStdCxx();
        if (hostLib == null)
        {
            Log.LogMessage(
                MessageImportance.Normal,
                "Ponder: no libstdc++.so.6 found; TorchSharp native patch skipped."
            );
            return true;
        }
        if (Contains(File.ReadAllBytes(hostLib), Encoding.ASCII.GetBytes(Version + "\0")))
            return true; // the host has the version: nothing to do
        foreach (
            string so in Directory.EnumerateFiles(OutputDirectory, "libLibTorchSharp.so", SearchOption.AllDirectories)
        )
        {
            try
            {
                string result = Patch(so);
                Log.LogMessage(MessageImportance.High, $"Ponder: {so}: {result}");
            }
            catch (Exception e)
            {
                Log.LogWarning($"Ponder: could not mark {Version} weak in {so}: {e.Message}");
            }
        }
        return true;
    }

    static string? FindHostLibStdCxx()
    {
        string[] candidates =
        {
            "/usr/lib/x86_64-linux-gnu/libstdc++.so.6",
            "/lib/x86_64-linux-gnu/libstdc++.so.6",
            "/usr/lib/aarch64-linux-gnu/libstdc++.so.6",
            "/usr/lib64/libstdc++.so.6",
            "/usr/lib/libstdc++.so.6",
        };
        foreach (string c in candidates)
            if (File.Exists(c))
                return c;
        return null;
    }

    static bool Contains(byte[] haystack, byte[] needle)
    {
        for (int i = 0; i <= haystack.Length - needle.Length; i++)
        {
            int j = 0;
            while (j < needle.Length && haystack[i + j] == needle[j])
                j++;
            if (j == needle.Length)
                return true;
        }
        return false;
    }

    /// <summary>Sets VER_FLG_WEAK on the GLIBCXX_3.4.32 Vernaux entry. Returns what it did.</summary>
    static string Patch(string path)
    {
        byte[] b = File.ReadAllBytes(path);
        if (
            b.Length < 64
            || b[0] != 0x7f
            || b[1] != (byte)'E'
            || b[2] != (byte)'L'
            || b[3] != (byte)'F'
            || b[4] != 2
            || b[5] != 1
        )
            return "not a little-endian ELF64 file; left alone";
        long shoff = (long)BitConverter.ToUInt64(b, 0x28);
        int shentsize = BitConverter.ToUInt16(b, 0x3A),
            shnum = BitConverter.ToUInt16(b, 0x3C);
        for (int s = 0; s < shnum; s++)
        {
            long sh = shoff + (long)s * shentsize;
            if (BitConverter.ToUInt32(b, (int)sh + 4) != ShtGnuVerneed)
                continue;
            long offset = (long)BitConverter.ToUInt64(b, (int)sh + 24);
            int link = (int)BitConverter.ToUInt32(b, (int)sh + 40);
            long strtab = (long)BitConverter.ToUInt64(b, (int)(shoff + (long)link * shentsize) + 24);
            long vn = offset;
            while (true)
            {
                int cnt = BitConverter.ToUInt16(b, (int)vn + 2);
                long aux = vn + BitConverter.ToUInt32(b, (int)vn + 8);
                for (int a = 0; a < cnt; a++)
                {
                    ushort flags = BitConverter.ToUInt16(b, (int)aux + 4);
                    long name = strtab + BitConverter.ToUInt32(b, (int)aux + 8);
                    if (ReadCString(b, name) == Version)
                    {
                        if ((flags & VerFlgWeak) != 0)
                            return $"{Version} already weak";
                        BitConverter.GetBytes((ushort)(flags | VerFlgWeak)).CopyTo(b, (int)aux + 4);
                        string tmp = path + ".patching";
                        File.WriteAllBytes(tmp, b);
                        File.Copy(tmp, path, overwrite: true);
                        File.Delete(tmp);
                        return $"marked {Version} weak (host libstdc++ lacks it)";
                    }
                    uint next = BitConverter.ToUInt32(b, (int)aux + 12);
                    if (next == 0)
                        break;
                    aux += next;
                }
                uint vnNext = BitConverter.ToUInt32(b, (int)vn + 12);
                if (vnNext == 0)
                    break;
                vn += vnNext;
            }
        }
        return $"no {Version} requirement; left alone";
    }

    static string ReadCString(byte[] b, long at)
    {
        int end = (int)at;
        while (end < b.Length && b[end] != 0)
            end++;
        return Encoding.ASCII.GetString(b, (int)at, end - (int)at);
    }
}
