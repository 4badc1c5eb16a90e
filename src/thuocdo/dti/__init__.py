"""The national DX index of provinces and ministries (DTI): versioned structures, entered
component values, self-computed scorecards, rankings on both administrative structures."""
