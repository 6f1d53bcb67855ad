namespace Signage.Media;

/// <summary>What kind of signage asset a file is.</summary>
public enum MediaType
{
    Image = 0,
    Video = 1,
}
