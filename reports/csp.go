package reports

// HTMLCSP is the Content-Security-Policy every report.html carries in its
// meta element; a server that serves the report (mfconform exporter's
// /report) sends the same policy as a header.
func HTMLCSP() string { return htmlCSP }
