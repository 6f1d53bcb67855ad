namespace Signage.Media;

/// <summary>The H.264 profile from a sample entry's avcC box (ISO/IEC 14496-15 §5.3.3.1): profile_idc, the
/// constraint_set flags byte and level_idc.</summary>
internal readonly record struct AvcProfile(byte ProfileIdc, byte Constraints, byte LevelIdc)
{
    /// <summary>Baseline, Main and High (8-bit 4:2:0) are what the screens' hardware decoders (Fire TV's and
    /// other Android TV sticks' under ExoPlayer, Chromium's) decode. High 10, 4:2:2 and 4:4:4 are decoded by
    /// desktop software decoders, so such a file looks fine on a PC and then fails on the wall; Extended
    /// and the scalable and multiview profiles are not supported by those decoders either.</summary>
    public bool IsPlayable => ProfileIdc is 66 or 77 or 100;

    private bool Intra => (Constraints & 0x10) != 0; // constraint_set3_flag

    /// <summary>The profile's name as ffprobe prints it, e.g. "High 10" or "Constrained Baseline".</summary>
    public string Name => ProfileIdc switch
    {
        66 => (Constraints & 0x40) != 0 ? "Constrained Baseline" : "Baseline", // constraint_set1_flag
        77 => "Main",
        88 => "Extended",
        100 => "High",
        110 => Intra ? "High 10 Intra" : "High 10",
        122 => Intra ? "High 4:2:2 Intra" : "High 4:2:2",
        244 => Intra ? "High 4:4:4 Intra" : "High 4:4:4 Predictive",
        44 => "CAVLC 4:4:4",
        83 => "Scalable Baseline",
        86 => "Scalable High",
        118 => "Multiview High",
        128 => "Stereo High",
        _ => $"profile_idc {ProfileIdc}",
    };
}
