/// Placeholder until the library lands.
public enum TextExtractionPlaceholder {}
