using System.ComponentModel;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Tyto.Collection.Logs;

/// <summary>
/// Which file a path or an open handle is, whatever its name now: the device and inode, with the size and whether it
/// is a regular file. Read with Linux's <c>statx</c>, whose buffer has one layout on every architecture (unlike
/// <c>stat</c>'s); .NET itself exposes no inode, and no served package is needed for one call.
/// </summary>
/// <param name="Device">The device the file lives on, its major number in the high 32 bits and minor in the low.</param>
/// <param name="Inode">Its inode number on that device.</param>
internal readonly partial record struct FileIdentity(ulong Device, ulong Inode)
{
    private const int CurrentDirectory = -100;
    private const int EmptyPath = 0x1000;
    private const uint TypeModeInodeSize = 0x1 | 0x2 | 0x100 | 0x200;
    private const int TypeMask = 0xF000;
    private const int RegularFile = 0x8000;

    /// <summary>The file at <paramref name="path"/> (links followed), its size and whether it is a regular file.</summary>
    public static (FileIdentity Identity, long Size, bool Regular) Of(string path)
    {
        if (Statx(CurrentDirectory, path, 0, TypeModeInodeSize, out var buffer) != 0)
            throw Failure();
        return From(buffer);
    }

    /// <summary>The file <paramref name="handle"/> has open, and its size now.</summary>
    public static (FileIdentity Identity, long Size, bool Regular) Of(SafeFileHandle handle)
    {
        var added = false;
        handle.DangerousAddRef(ref added);
        try
        {
            if (Statx((int)handle.DangerousGetHandle(), "", EmptyPath, TypeModeInodeSize, out var buffer) != 0)
                throw Failure();
            return From(buffer);
        }
        finally
        {
            if (added)
                handle.DangerousRelease();
        }
    }

    private static (FileIdentity, long, bool) From(in StatxBuffer buffer) =>
        (new FileIdentity(((ulong)buffer.DeviceMajor << 32) | buffer.DeviceMinor, buffer.Inode), (long)buffer.Size, (buffer.Mode & TypeMask) == RegularFile);

    private static IOException Failure()
    {
        var errno = Marshal.GetLastPInvokeError();
        return new IOException(new Win32Exception(errno).Message, errno);
    }

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Statx(int directory, string path, int flags, uint mask, out StatxBuffer buffer);

    /// <summary>The fields of Linux's <c>struct statx</c> read here, at their offsets in its 256 bytes.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 256)]
    private struct StatxBuffer
    {
        [FieldOffset(28)]
        public ushort Mode;

        [FieldOffset(32)]
        public ulong Inode;

        [FieldOffset(40)]
        public ulong Size;

        [FieldOffset(136)]
        public uint DeviceMajor;

        [FieldOffset(140)]
        public uint DeviceMinor;
    }
}
