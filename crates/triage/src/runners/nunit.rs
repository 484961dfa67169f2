//! NUnit console runners (`nunit-console` 2.x, `nunit3-console`), as run
//! under mono or .NET Framework:
//!
//! ```text
//! Errors and Failures:
//! 1) Test Failure : Acme.Billing.Tests.InvoiceTests.TotalWithTaxRounds
//!      Expected: 11.9m
//!   But was:  1.9m
//! 2) Test Error : Acme.Billing.Tests.InvoiceTests.EmptyInvoiceIsZero
//!    System.ArgumentOutOfRangeException : Specified argument was out of the range of valid values.
//! ```
//!
//! NUnit 3 writes `1) Failed : Full.Name` / `1) Error : Full.Name`. The id
//! is NUnit's full name (`Namespace.Fixture.Method`), the message the first
//! non-empty line after the header.



use super::{TwinRegex, failure, Counts, FailureSet, Line, RunnerParser, RunnerReport};

const NAME: &str = "nunit";

#[derive(Default)]
pub struct Nunit {
    failures: FailureSet,
    /// After a header: the full name and the header's line.
    entry: Option<(String, u32)>,
}

static HEADER: TwinRegex = TwinRegex::new(r"^\d+\) (?:Test Failure|Test Error|Failed|Error|SetUp Error|TearDown Error|Invalid) : ([A-Za-z_][\w`]*(?:\.[\w`<>]+)+(?:\(.*\))?)\s*$");

impl RunnerParser for Nunit {
    fn name(&self) -> &'static str {
        NAME
    }

    fn triggers(&self) -> &'static [&'static str] {
        &[") Test Failure : ", ") Test Error : ", ") Failed : ", ") Error : ", ") SetUp Error : ", ") TearDown Error : ", ") Invalid : "]
    }

    fn wants_every_line(&self) -> bool {
        self.entry.is_some()
    }

    fn feed(&mut self, line: Line<'_>) {
        let t = super::payload(line.text).trim();
        if let Some(c) = HEADER.captures(t) {
            self.close("");
            self.entry = Some((c[1].to_string(), line.no));
            return;
        }
        let Some((_, at)) = self.entry.as_ref() else { return };
        if line.no - *at > 20 {
            self.close("");
        } else if !t.is_empty() {
            self.close(t);
        }
    }

    fn finish(&mut self, out: &mut RunnerReport) {
        self.close("");
        super::report_into(out, &mut self.failures, &Counts::default(), &mut Vec::new());
    }
}

impl Nunit {
    fn close(&mut self, message: &str) {
        if let Some((id, at)) = self.entry.take() {
            let name = id.rsplit('.').next().unwrap_or(&id).to_string();
            self.failures.add(failure(NAME, id, name, None, message, at));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runners::hits_of;

    #[test]
    fn nunit2_failure_and_error() {
        let mut p = Nunit::default();
        let log = "Errors and Failures:\n1) Test Failure : Acme.Tests.InvoiceTests.TotalRounds\n     Expected: 11.9m\n  But was:  1.9m\n\n2) Test Error : Acme.Tests.InvoiceTests.Empty\n   System.ArgumentOutOfRangeException : out of range\n";
        for (i, t) in log.lines().enumerate() {
            let hits = hits_of(p.triggers(), t);
            if hits != 0 || p.wants_every_line() {
                p.feed(Line { no: i as u32 + 1, text: t, hits });
            }
        }
        let mut out = RunnerReport::default();
        p.finish(&mut out);
        let got: Vec<_> = out.failures.iter().map(|f| (f.id.as_str(), f.line, f.message.as_str())).collect();
        assert_eq!(got, vec![("Acme.Tests.InvoiceTests.TotalRounds", 2, "Expected: 11.9m"), ("Acme.Tests.InvoiceTests.Empty", 6, "System.ArgumentOutOfRangeException : out of range")]);
    }
}
