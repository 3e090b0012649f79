import RegionMap

/// The 33 capitals used by the tests and the example (iso2, name, lat, lon, short label).
let capitals: [(String, String, Double, Double, String?)] = [
    ("AG", "Antigua and Barbuda", 17.12, -61.85, "Antigua & Barbuda"),
    ("BS", "Bahamas", 25.06, -77.35, nil),
    ("BB", "Barbados", 13.10, -59.62, nil),
    ("BZ", "Belize", 17.25, -88.77, nil),
    ("CU", "Cuba", 23.13, -82.38, nil),
    ("DM", "Dominica", 15.30, -61.39, nil),
    ("DO", "Dominican Republic", 18.47, -69.90, nil),
    ("GD", "Grenada", 12.05, -61.75, nil),
    ("GY", "Guyana", 6.80, -58.16, nil),
    ("HT", "Haiti", 18.54, -72.34, nil),
    ("JM", "Jamaica", 18.02, -76.80, nil),
    ("KN", "Saint Kitts and Nevis", 17.30, -62.72, "St Kitts & Nevis"),
    ("LC", "Saint Lucia", 14.01, -60.99, "St Lucia"),
    ("VC", "Saint Vincent and the Grenadines", 13.16, -61.22, "St Vincent"),
    ("SR", "Suriname", 5.85, -55.20, nil),
    ("TT", "Trinidad and Tobago", 10.65, -61.52, "Trinidad & Tobago"),
    ("AI", "Anguilla", 18.22, -63.05, nil),
    ("BM", "Bermuda", 32.29, -64.78, nil),
    ("VG", "British Virgin Islands", 18.43, -64.62, "BVI"),
    ("KY", "Cayman Islands", 19.29, -81.37, nil),
    ("MS", "Montserrat", 16.79, -62.21, nil),
    ("TC", "Turks and Caicos Islands", 21.46, -71.14, "Turks & Caicos"),
    ("AW", "Aruba", 12.52, -70.03, nil),
    ("CW", "Curaçao", 12.12, -68.93, nil),
    ("SX", "Sint Maarten", 18.03, -63.05, nil),
    ("BQ", "Caribbean Netherlands", 12.15, -68.27, "Bonaire"),
    ("GP", "Guadeloupe", 16.00, -61.73, nil),
    ("MQ", "Martinique", 14.60, -61.07, nil),
    ("GF", "French Guiana", 4.94, -52.33, nil),
    ("MF", "Saint Martin", 18.07, -63.08, "St Martin"),
    ("BL", "Saint Barthélemy", 17.90, -62.85, "St Barth"),
    ("PR", "Puerto Rico", 18.47, -66.11, nil),
    ("VI", "U.S. Virgin Islands", 18.34, -64.93, "USVI"),
]

func capitalMarkers(links: Bool = true, classes: Bool = false) -> [MapMarker] {
    capitals.enumerated().map { i, c in
        MapMarker(id: c.0.lowercased(), label: c.1, latitude: c.2, longitude: c.3,
                  href: links ? "/countries/\(c.0.lowercased())" : nil,
                  valueClass: classes ? i % 7 : nil, title: "\(c.1) — capital", shortLabel: c.4)
    }
}
