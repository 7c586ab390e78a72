// MSBuild inline task (compiled by RoslynCodeTaskFactory): see LibTorchSharpPatch.targets for why it exists.
using System;
using System.IO;
using System.Text;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

public class PatchLibTorchSharpGlibcxx : Task
{
    const string Symbol = "_ZSt21ios_base_library_initv";
    const string NeededVersion = "GLIBCXX_3.4.32";
    const string ReplacementVersion = "GLIBCXX_3.4.30";

    static readonly string[] LibStdCxxCandidates =
    {
        "/usr/lib/x86_64-linux-gnu/libstdc++.so.6", "/lib/x86_64-linux-gnu/libstdc++.so.6",
        "/usr/lib/aarch64-linux-gnu/libstdc++.so.6", "/usr/lib64/libstdc++.so.6", "/usr/lib/libstdc++.so.6",
    };

    [Required] public string Directory { get; set; } = "";

    public override bool Execute()
    {
        if (!System.IO.Directory.Exists(Directory)) return true;
        var targets = System.IO.Directory.GetFiles(Directory, "libLibTorchSharp.so", SearchOption.AllDirectories);
        if (targets.Length == 0) return true;
        if (SystemHasNeededVersion()) return true;

        foreach (var path in targets)
        {
            try
            {
                var bytes = File.ReadAllBytes(path);
                var result = Patch(bytes);
                if (result == null) continue; // already patched, or never needed it
                var temp = path + ".patching";
                File.WriteAllBytes(temp, bytes);
                File.Copy(temp, path, overwrite: true);
                File.Delete(temp);
                Log.LogMessage(MessageImportance.High, "RagTune: patched " + path + " (" + result + ")");
            }
            catch (Exception e)
            {
                Log.LogError("RagTune: cannot patch " + path + " for this system's libstdc++ (lacks " + NeededVersion +
                             "): " + e.Message + ". HINT: install a libstdc++ from GCC 13 or newer, or see build/LibTorchSharpPatch.targets.");
                return false;
            }
        }
        return true;
    }

    static bool SystemHasNeededVersion()
    {
        var needle = Encoding.ASCII.GetBytes(NeededVersion);
        bool sawAny = false;
        foreach (var candidate in LibStdCxxCandidates)
        {
            if (!File.Exists(candidate)) continue;
            sawAny = true;
            if (IndexOf(File.ReadAllBytes(candidate), needle, 0) >= 0) return true;
        }
        return !sawAny; // no libstdc++ where we know to look: leave the file alone
    }

    /// <summary>Edits the ELF image in place; returns a description, or null when nothing needed changing.</summary>
    static string Patch(byte[] elf)
    {
        if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F')
            throw new InvalidDataException("not an ELF file");
        if (elf[4] != 2 || elf[5] != 1) throw new InvalidDataException("expected a 64-bit little-endian ELF file");

        long shoff = (long)BitConverter.ToUInt64(elf, 0x28);
        int shentsize = BitConverter.ToUInt16(elf, 0x3A);
        int shnum = BitConverter.ToUInt16(elf, 0x3C);

        long dynsymOff = -1, dynsymSize = 0, dynsymEnt = 24, versymOff = -1, verneedOff = -1, dynstrOff = -1;
        int verneedCount = 0;
        for (int i = 0; i < shnum; i++)
        {
            long h = shoff + (long)i * shentsize;
            uint type = BitConverter.ToUInt32(elf, (int)h + 4);
            long offset = (long)BitConverter.ToUInt64(elf, (int)h + 0x18);
            long size = (long)BitConverter.ToUInt64(elf, (int)h + 0x20);
            uint link = BitConverter.ToUInt32(elf, (int)h + 0x28);
            uint info = BitConverter.ToUInt32(elf, (int)h + 0x2C);
            long entsize = (long)BitConverter.ToUInt64(elf, (int)h + 0x38);
            switch (type)
            {
                case 11: // SHT_DYNSYM
                    dynsymOff = offset; dynsymSize = size; dynsymEnt = entsize == 0 ? 24 : entsize;
                    long linked = shoff + (long)link * shentsize;
                    dynstrOff = (long)BitConverter.ToUInt64(elf, (int)linked + 0x18);
                    break;
                case 0x6fffffff: versymOff = offset; break;   // SHT_GNU_versym
                case 0x6ffffffe: verneedOff = offset; verneedCount = (int)info; break; // SHT_GNU_verneed
            }
        }
        if (dynsymOff < 0 || versymOff < 0 || verneedOff < 0 || dynstrOff < 0)
            throw new InvalidDataException("missing .dynsym, .gnu.version or .gnu.version_r");

        var changes = new StringBuilder();

        // (1) the symbol: weak binding, version index 1 (global, unversioned)
        long count = dynsymSize / dynsymEnt;
        for (long s = 0; s < count; s++)
        {
            int e = (int)(dynsymOff + s * dynsymEnt);
            string name = ReadCString(elf, dynstrOff + BitConverter.ToUInt32(elf, e));
            if (name != Symbol) continue;
            byte info = elf[e + 4];
            int versymAt = (int)(versymOff + s * 2);
            ushort version = BitConverter.ToUInt16(elf, versymAt);
            if ((info >> 4) != 2 || version != 1)
            {
                elf[e + 4] = (byte)((2 << 4) | (info & 0xF)); // STB_WEAK
                elf[versymAt] = 1; elf[versymAt + 1] = 0;
                changes.Append("weakened " + Symbol + "; ");
            }
        }

        // (2) the version need: GLIBCXX_3.4.32 -> GLIBCXX_3.4.30, with a matching ELF hash
        long vn = verneedOff;
        for (int n = 0; n < verneedCount; n++)
        {
            int auxCount = BitConverter.ToUInt16(elf, (int)vn + 2);
            long aux = vn + BitConverter.ToUInt32(elf, (int)vn + 8);
            for (int a = 0; a < auxCount; a++)
            {
                long nameAt = dynstrOff + BitConverter.ToUInt32(elf, (int)aux + 8);
                if (ReadCString(elf, nameAt) == NeededVersion)
                {
                    var replacement = Encoding.ASCII.GetBytes(ReplacementVersion);
                    Array.Copy(replacement, 0, elf, nameAt, replacement.Length);
                    BitConverter.GetBytes(ElfHash(ReplacementVersion)).CopyTo(elf, (int)aux);
                    changes.Append("version need " + NeededVersion + " -> " + ReplacementVersion + "; ");
                }
                aux += BitConverter.ToUInt32(elf, (int)aux + 12);
            }
            uint next = BitConverter.ToUInt32(elf, (int)vn + 12);
            if (next == 0) break;
            vn += next;
        }
        return changes.Length == 0 ? null : changes.ToString().TrimEnd(' ', ';');
    }

    static uint ElfHash(string name)
    {
        uint h = 0;
        foreach (char c in name)
        {
            h = (h << 4) + (byte)c;
            uint g = h & 0xf0000000;
            if (g != 0) h ^= g >> 24;
            h &= ~g;
        }
        return h;
    }

    static string ReadCString(byte[] data, long at)
    {
        long end = at;
        while (end < data.Length && data[end] != 0) end++;
        return Encoding.ASCII.GetString(data, (int)at, (int)(end - at));
    }

    static int IndexOf(byte[] haystack, byte[] needle, int start)
    {
        for (int i = start; i <= haystack.Length - needle.Length; i++)
        {
            int j = 0;
            while (j < needle.Length && haystack[i + j] == needle[j]) j++;
            if (j == needle.Length) return i;
        }
        return -1;
    }
}
