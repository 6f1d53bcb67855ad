using System.Buffers.Binary;

namespace Signage.Media;

/// <summary>
/// Walks an ISO-BMFF file's boxes by seeking: mdat is stepped over, never read, and sample tables are
/// read through a fixed buffer, so memory does not grow with the file. Only the boxes on the path
/// moov/trak/mdia/minf/stbl are opened. Every size is checked against its parent box, which is in turn
/// bounded by the file, so a garbled size ends in <see cref="MediaCorruptException"/>.
/// </summary>
internal sealed class Mp4Reader
{
    private const string CutOff = "The MP4 file is cut off: it ends in the middle of its data.";
    private const string Damaged = "The MP4 file is damaged: ";

    // A real file has a few dozen boxes; the cap stops a file made of millions of tiny boxes from
    // keeping the inspector busy.
    private const int MaxBoxes = 100_000;

    // Enough for any real sample entry's fixed fields and esds; larger entries are read only this far.
    private const int SampleEntryBytes = 4096;

    private readonly ByteSource _source;
    private readonly byte[] _buffer = new byte[8192]; // a multiple of the 4- and 8-byte table rows
    private int _boxes;

    private Mp4Reader(Stream stream) => _source = new ByteSource(stream, CutOff);

    private readonly record struct Box(uint Type, long Start, long ContentStart, long End)
    {
        public long ContentLength => End - ContentStart;
    }

    public static Mp4Movie Read(Stream stream) => new Mp4Reader(stream).ReadFile();

    private Mp4Movie ReadFile()
    {
        Mp4Movie? movie = null;
        List<Box> fragments = [];
        foreach (Box box in Children(0, _source.Length, parent: 0))
        {
            if (box.Type == FourCC.Moov)
            {
                movie = movie is null ? ReadMovie(box) : throw Corrupt("it has two movie headers (moov boxes).");
            }
            else if (box.Type == FourCC.Moof)
            {
                fragments.Add(box);
            }
        }

        if (movie is null)
        {
            throw new MediaCorruptException("The MP4 file is incomplete: it has no movie header (moov box), so it cannot be played.");
        }

        if (fragments.Count > 0 || movie.Fragmented)
        {
            // Fragmented MP4 (screen recorders, OBS): the samples are described in moof boxes after moov.
            // The header durations then cover only the samples in moov (often none), so they are cleared
            // and the durations are summed from the samples themselves, as the player plays them.
            movie.Fragmented = true;
            foreach (Box moof in fragments)
            {
                ReadFragment(moof, movie);
            }

            movie.Duration = 0;
            movie.Tracks.ForEach(t => t.Duration = 0);
        }

        return movie;
    }

    private void ReadFragment(Box moof, Mp4Movie movie)
    {
        foreach (Box traf in Children(moof).Where(b => b.Type == FourCC.Traf))
        {
            Mp4Track? track = null;
            (uint duration, uint size) defaults = default;
            foreach (Box box in Children(traf))
            {
                if (box.Type == FourCC.Tfhd)
                {
                    (track, defaults) = ReadFragmentHeader(box, movie);
                }
                else if (box.Type == FourCC.Trun)
                {
                    ReadTrackRun(box, track ?? throw Corrupt("a fragment's sample run comes before its track header (tfhd)."), defaults);
                }
            }
        }
    }

    // tfhd: version/flags(4), track_ID(4), then by flag: base_data_offset(8) 0x1, sample_description_index(4)
    // 0x2, default_sample_duration(4) 0x8, default_sample_size(4) 0x10. What it leaves out comes from trex.
    private (Mp4Track, (uint Duration, uint Size)) ReadFragmentHeader(Box tfhd, Mp4Movie movie)
    {
        ReadOnlySpan<byte> c = ReadContent(tfhd, stackalloc byte[32], minimum: 8);
        uint flags = BinaryPrimitives.ReadUInt32BigEndian(c) & 0xFFFFFF;
        uint trackId = BinaryPrimitives.ReadUInt32BigEndian(c[4..]);
        Mp4Track track = movie.Tracks.Find(t => t.TrackId == trackId)
            ?? throw Corrupt($"a fragment describes track {trackId}, which the movie does not have.");
        movie.TrackDefaults.TryGetValue(trackId, out (uint Duration, uint Size) defaults);

        int at = 8 + ((flags & 0x1) != 0 ? 8 : 0) + ((flags & 0x2) != 0 ? 4 : 0);
        if ((flags & 0x8) != 0)
        {
            defaults.Duration = at + 4 <= c.Length ? BinaryPrimitives.ReadUInt32BigEndian(c[at..]) : throw TooShort(tfhd);
            at += 4;
        }

        if ((flags & 0x10) != 0)
        {
            defaults.Size = at + 4 <= c.Length ? BinaryPrimitives.ReadUInt32BigEndian(c[at..]) : throw TooShort(tfhd);
        }

        return (track, defaults);
    }

    // trun: version/flags(4), sample_count(4), data_offset(4) if 0x1, first_sample_flags(4) if 0x4, then one
    // row per sample holding duration 0x100, size 0x200, flags 0x400 and composition offset 0x800 when set.
    private void ReadTrackRun(Box trun, Mp4Track track, (uint Duration, uint Size) defaults)
    {
        ReadOnlySpan<byte> c = ReadContent(trun, stackalloc byte[8], minimum: 8);
        uint flags = BinaryPrimitives.ReadUInt32BigEndian(c) & 0xFFFFFF;
        uint count = BinaryPrimitives.ReadUInt32BigEndian(c[4..]);
        long tableStart = trun.ContentStart + 8 + ((flags & 0x1) != 0 ? 4 : 0) + ((flags & 0x4) != 0 ? 4 : 0);
        bool hasDuration = (flags & 0x100) != 0, hasSize = (flags & 0x200) != 0;
        int row = 4 * System.Numerics.BitOperations.PopCount(flags & 0xF00);
        long tableBytes = count * (long)row;
        if (tableBytes > trun.End - tableStart)
        {
            throw Corrupt("a fragment's sample run lists more samples than its box holds.");
        }

        double duration = hasDuration ? 0 : (double)count * defaults.Duration;
        long bytes = hasSize ? 0 : count * (long)defaults.Size;
        if (hasDuration || hasSize)
        {
            int chunkBytes = _buffer.Length / row * row;
            for (long done = 0; done < tableBytes;)
            {
                Span<byte> chunk = _buffer.AsSpan(0, (int)Math.Min(chunkBytes, tableBytes - done));
                _source.Read(tableStart + done, chunk);
                for (int i = 0; i < chunk.Length; i += row)
                {
                    duration += hasDuration ? BinaryPrimitives.ReadUInt32BigEndian(chunk[i..]) : 0;
                    bytes += hasSize ? BinaryPrimitives.ReadUInt32BigEndian(chunk[(i + (hasDuration ? 4 : 0))..]) : 0;
                }

                done += chunk.Length;
            }
        }

        track.TimeToSampleCount += count;
        track.TimeToSampleDuration += duration;
        track.SampleCount += count;
        track.SampleBytes += bytes;
        if (bytes > _source.Length || track.SampleBytes > _source.Length)
        {
            throw MoreDataThanFile();
        }
    }

    private IEnumerable<Box> Children(Box parent) => Children(parent.ContentStart, parent.End, parent.Type);

    private IEnumerable<Box> Children(long start, long end, uint parent)
    {
        for (long pos = start; pos < end;)
        {
            Box box = ReadBoxHeader(pos, end, parent);
            yield return box;
            pos = box.End; // at least 8 bytes on: every box holds its own header
        }
    }

    private Box ReadBoxHeader(long pos, long parentEnd, uint parent)
    {
        if (++_boxes > MaxBoxes)
        {
            throw Corrupt("it has an implausible number of boxes.");
        }

        long remaining = parentEnd - pos;
        if (remaining < 8)
        {
            throw parent == 0 ? new MediaCorruptException(CutOff) : Corrupt($"a box header at byte {pos} is incomplete.");
        }

        uint size32 = _source.ReadUInt32(pos);
        uint type = _source.ReadUInt32(pos + 4);
        int header = 8;
        long size = size32;
        if (size32 == 1)
        {
            // 64-bit "largesize" follows the type.
            ulong large = remaining >= 16 ? _source.ReadUInt64(pos + 8) : throw new MediaCorruptException(CutOff);
            size = large <= long.MaxValue ? (long)large : long.MaxValue;
            header = 16;
        }
        else if (size32 == 0)
        {
            size = remaining; // the box runs to the end of its parent (in practice, the file)
        }

        if (size < header)
        {
            throw Corrupt($"its '{FourCC.ToText(type)}' box at byte {pos} has an impossible size of {size}.");
        }

        if (size > remaining)
        {
            throw parent == 0
                ? new MediaCorruptException($"The MP4 file is cut off: its '{FourCC.ToText(type)}' box needs {size} bytes but only {remaining} remain.")
                : Corrupt($"its '{FourCC.ToText(type)}' box is larger than the '{FourCC.ToText(parent)}' box that contains it.");
        }

        return new Box(type, pos, pos + header, pos + size);
    }

    private Mp4Movie ReadMovie(Box moov)
    {
        var movie = new Mp4Movie();
        foreach (Box box in Children(moov))
        {
            switch (box.Type)
            {
                case FourCC.Mvhd:
                    (movie.Timescale, movie.Duration) = ReadTimescaleAndDuration(box);
                    movie.HasHeader = true;
                    break;
                case FourCC.Trak:
                    movie.Tracks.Add(ReadTrack(box));
                    break;
                case FourCC.Mvex:
                    movie.Fragmented = true;
                    ReadTrackDefaults(box, movie);
                    break;
                default:
                    break;
            }
        }

        return movie;
    }

    // trex: version/flags(4), track_ID(4), default_sample_description_index(4), default_sample_duration(4),
    // default_sample_size(4), default_sample_flags(4).
    private void ReadTrackDefaults(Box mvex, Mp4Movie movie)
    {
        Span<byte> content = stackalloc byte[24];
        foreach (Box trex in Children(mvex).Where(b => b.Type == FourCC.Trex))
        {
            ReadOnlySpan<byte> c = ReadContent(trex, content, minimum: 20);
            movie.TrackDefaults[BinaryPrimitives.ReadUInt32BigEndian(c[4..])] =
                (BinaryPrimitives.ReadUInt32BigEndian(c[12..]), BinaryPrimitives.ReadUInt32BigEndian(c[16..]));
        }
    }

    private Mp4Track ReadTrack(Box trak)
    {
        var track = new Mp4Track();
        foreach (Box box in Children(trak))
        {
            if (box.Type == FourCC.Tkhd)
            {
                ReadTrackHeader(box, track);
            }
            else if (box.Type == FourCC.Mdia)
            {
                ReadMedia(box, track);
            }
        }

        return track;
    }

    private void ReadMedia(Box mdia, Mp4Track track)
    {
        Box? sampleTable = null;
        foreach (Box box in Children(mdia))
        {
            switch (box.Type)
            {
                case FourCC.Mdhd:
                    (track.Timescale, track.Duration) = ReadTimescaleAndDuration(box);
                    track.HasMediaHeader = true;
                    break;
                case FourCC.Hdlr:
                    track.Handler = ReadHandler(box);
                    break;
                case FourCC.Minf:
                    sampleTable = Children(box).Where(b => b.Type == FourCC.Stbl).Select(b => (Box?)b).FirstOrDefault();
                    break;
                default:
                    break;
            }
        }

        // Read after the loop: the handler decides how the sample entry is parsed, and the order of
        // hdlr and minf inside mdia is not fixed.
        if (sampleTable is Box stbl)
        {
            ReadSampleTable(stbl, track);
        }
    }

    private void ReadSampleTable(Box stbl, Mp4Track track)
    {
        foreach (Box box in Children(stbl))
        {
            switch (box.Type)
            {
                case FourCC.Stsd:
                    track.SampleEntry = ReadSampleEntry(box, track.Handler);
                    break;
                case FourCC.Stts:
                    ReadTimeToSample(box, track);
                    break;
                case FourCC.Stsz:
                    ReadSampleSizes(box, track);
                    break;
                default:
                    break;
            }
        }
    }

    // mvhd and mdhd share this layout: version 0 has 32-bit times, version 1 64-bit.
    private (uint Timescale, ulong Duration) ReadTimescaleAndDuration(Box box)
    {
        ReadOnlySpan<byte> c = ReadContent(box, stackalloc byte[32], minimum: 20);
        if (c[0] == 1)
        {
            if (c.Length < 32)
            {
                throw TooShort(box);
            }

            ulong duration = BinaryPrimitives.ReadUInt64BigEndian(c[24..]);
            return (BinaryPrimitives.ReadUInt32BigEndian(c[20..]), duration == ulong.MaxValue ? 0 : duration);
        }

        uint duration32 = BinaryPrimitives.ReadUInt32BigEndian(c[16..]);
        return (BinaryPrimitives.ReadUInt32BigEndian(c[12..]), duration32 == uint.MaxValue ? 0 : duration32);
    }

    private void ReadTrackHeader(Box box, Mp4Track track)
    {
        ReadOnlySpan<byte> c = ReadContent(box, stackalloc byte[96], minimum: 84);
        int at = c[0] == 1 ? 88 : 76; // width and height follow the matrix, as 16.16 fixed point
        if (c.Length < at + 8)
        {
            throw TooShort(box);
        }

        track.TrackId = BinaryPrimitives.ReadUInt32BigEndian(c[(c[0] == 1 ? 20 : 12)..]);

        // The matrix {a b u, c d v, x y w} turns the picture a quarter turn when a and d are zero and b and
        // c are not (the "rotate" metadata phones and ffmpeg write); the player shows it turned.
        int matrix = at - 36;
        int a = BinaryPrimitives.ReadInt32BigEndian(c[matrix..]), b = BinaryPrimitives.ReadInt32BigEndian(c[(matrix + 4)..]);
        int cc = BinaryPrimitives.ReadInt32BigEndian(c[(matrix + 12)..]), d = BinaryPrimitives.ReadInt32BigEndian(c[(matrix + 16)..]);
        track.QuarterTurned = a == 0 && d == 0 && b != 0 && cc != 0;

        track.Width = (int)(BinaryPrimitives.ReadUInt32BigEndian(c[at..]) >> 16);
        track.Height = (int)(BinaryPrimitives.ReadUInt32BigEndian(c[(at + 4)..]) >> 16);
    }

    private uint ReadHandler(Box box) =>
        BinaryPrimitives.ReadUInt32BigEndian(ReadContent(box, stackalloc byte[12], minimum: 12)[8..]);

    private Mp4SampleEntry ReadSampleEntry(Box stsd, uint handler)
    {
        ReadOnlySpan<byte> c = ReadContent(stsd, stackalloc byte[8], minimum: 8);
        if (BinaryPrimitives.ReadUInt32BigEndian(c[4..]) == 0)
        {
            throw Corrupt("a track has no sample description.");
        }

        Box entry = ReadBoxHeader(stsd.ContentStart + 8, stsd.End, stsd.Type);
        Span<byte> body = _buffer.AsSpan(0, (int)Math.Min(SampleEntryBytes, entry.ContentLength));
        _source.Read(entry.ContentStart, body);
        return Mp4SampleEntry.Parse(entry.Type, body, handler);
    }

    // stts rows are (sample_count, sample_delta); the counts add up to the number of samples and
    // count × delta to the media duration.
    private void ReadTimeToSample(Box stts, Mp4Track track)
    {
        ReadOnlySpan<byte> c = ReadContent(stts, stackalloc byte[8], minimum: 8);
        long tableBytes = BinaryPrimitives.ReadUInt32BigEndian(c[4..]) * 8L;
        long tableStart = stts.ContentStart + 8;
        if (tableBytes > stts.End - tableStart)
        {
            throw Corrupt("its time-to-sample table lists more entries than its box holds.");
        }

        track.HasTimeToSample = true;
        for (long done = 0; done < tableBytes;)
        {
            Span<byte> chunk = _buffer.AsSpan(0, (int)Math.Min(_buffer.Length, tableBytes - done));
            _source.Read(tableStart + done, chunk);
            for (int i = 0; i < chunk.Length; i += 8)
            {
                uint count = BinaryPrimitives.ReadUInt32BigEndian(chunk[i..]);
                track.TimeToSampleCount += count;
                track.TimeToSampleDuration += (double)count * BinaryPrimitives.ReadUInt32BigEndian(chunk[(i + 4)..]);
            }

            done += chunk.Length;
        }
    }

    // stsz has one constant sample_size, or 0 followed by a table with one size per sample.
    private void ReadSampleSizes(Box stsz, Mp4Track track)
    {
        ReadOnlySpan<byte> c = ReadContent(stsz, stackalloc byte[12], minimum: 12);
        uint constantSize = BinaryPrimitives.ReadUInt32BigEndian(c[4..]);
        uint count = BinaryPrimitives.ReadUInt32BigEndian(c[8..]);
        track.HasSampleSizes = true;
        track.SampleCount = count;

        if (constantSize != 0)
        {
            ulong total = (ulong)constantSize * count; // cannot overflow: both factors are 32-bit
            track.SampleBytes = total <= (ulong)_source.Length ? (long)total : throw MoreDataThanFile();
            return;
        }

        long tableBytes = count * 4L;
        long tableStart = stsz.ContentStart + 12;
        if (tableBytes > stsz.End - tableStart)
        {
            throw Corrupt("its sample size table lists more entries than its box holds.");
        }

        long sum = 0;
        for (long done = 0; done < tableBytes;)
        {
            Span<byte> chunk = _buffer.AsSpan(0, (int)Math.Min(_buffer.Length, tableBytes - done));
            _source.Read(tableStart + done, chunk);
            for (int i = 0; i < chunk.Length; i += 4)
            {
                sum += BinaryPrimitives.ReadUInt32BigEndian(chunk[i..]);
            }

            // Checked per chunk, so the sum stays far from overflow.
            if (sum > _source.Length)
            {
                throw MoreDataThanFile();
            }

            done += chunk.Length;
        }

        track.SampleBytes = sum;
    }

    /// <summary>Reads up to <c>destination.Length</c> bytes of a box's content, insisting on at least
    /// <paramref name="minimum"/>.</summary>
    private ReadOnlySpan<byte> ReadContent(Box box, Span<byte> destination, int minimum)
    {
        if (box.ContentLength < minimum)
        {
            throw TooShort(box);
        }

        Span<byte> content = destination[..(int)Math.Min(destination.Length, box.ContentLength)];
        _source.Read(box.ContentStart, content);
        return content;
    }

    private static MediaCorruptException Corrupt(string what) => new(Damaged + what);

    private static MediaCorruptException TooShort(Box box) => Corrupt($"its '{FourCC.ToText(box.Type)}' box is too short.");

    private static MediaCorruptException MoreDataThanFile() => Corrupt("its sample tables describe more data than the file holds.");
}
