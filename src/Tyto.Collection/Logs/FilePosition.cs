namespace Tyto.Collection.Logs;

/// <summary>
/// How far one log file has been read, to persist and hand back to <see cref="FileTailer"/> after a restart. The file
/// is known by its device and inode, so a file renamed meanwhile is still found, and one replaced is read anew.
/// </summary>
/// <param name="Path">Where the file was last found.</param>
/// <param name="Device">Its device, major number in the high 32 bits, minor in the low.</param>
/// <param name="Inode">Its inode on that device.</param>
/// <param name="Offset">The byte where its first unread line starts.</param>
public sealed record FilePosition(string Path, ulong Device, ulong Inode, long Offset);
