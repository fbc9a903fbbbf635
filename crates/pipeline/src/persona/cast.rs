//! Who writes to the demo persona. The names follow the product brief's demo scenes (Sarah, John
//! in Sales, Maria in Finance, Acme Corp's Tom Anderson and Lisa Chen, TechFlow's Jennifer
//! Martinez, Global Systems' Robert Kim, DataCorp's Amanda Foster, CTO Mike Stevens). Every
//! domain is under the reserved `.example` TLD, so no demo address can reach a real mailbox.

/// The persona's company domain.
pub const COMPANY_DOMAIN: &str = "northwind.example";

/// A correspondent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Person {
    /// Display name.
    pub name: &'static str,
    /// Address.
    pub address: &'static str,
    /// Job title, used in signatures.
    pub title: &'static str,
    /// Organisation, used in signatures.
    pub org: &'static str,
}

impl Person {
    /// The first name, for greetings.
    pub fn first(&self) -> &'static str {
        self.name.split(' ').next().unwrap_or(self.name)
    }
}

const fn person(
    name: &'static str,
    address: &'static str,
    title: &'static str,
    org: &'static str,
) -> Person {
    Person {
        name,
        address,
        title,
        org,
    }
}

/// The persona: a VP of Sales receiving 50–200 mails a day.
pub const SARAH: Person = person(
    "Sarah Mitchell",
    "sarah.mitchell@northwind.example",
    "VP of Sales",
    "Northwind Software",
);

/// Internal: the sales team (the largest share of her mail).
pub const SALES: &[Person] = &[
    person(
        "John Carter",
        "john.carter@northwind.example",
        "Sales Director",
        "Northwind Software",
    ),
    person(
        "Emily Nguyen",
        "emily.nguyen@northwind.example",
        "Account Executive",
        "Northwind Software",
    ),
    person(
        "Marcus Reed",
        "marcus.reed@northwind.example",
        "Account Executive",
        "Northwind Software",
    ),
    person(
        "Priya Shah",
        "priya.shah@northwind.example",
        "Sales Operations Manager",
        "Northwind Software",
    ),
    person(
        "Daniel Brooks",
        "daniel.brooks@northwind.example",
        "SDR Team Lead",
        "Northwind Software",
    ),
];

/// The persona's direct reports. Only John has 1-on-1s with her (every other Tuesday): the
/// product's "no 1-on-1s with three of your direct reports this month".
pub const DIRECT_REPORTS: &[Person] = &[SALES[0], SALES[1], SALES[3], SALES[4]];

/// Internal: finance.
pub const FINANCE: &[Person] = &[
    person(
        "Maria Lopez",
        "maria.lopez@northwind.example",
        "Finance Director",
        "Northwind Software",
    ),
    person(
        "Kevin O'Brien",
        "kevin.obrien@northwind.example",
        "FP&A Analyst",
        "Northwind Software",
    ),
];

/// Internal: leadership.
pub const LEADERSHIP: &[Person] = &[
    person(
        "David Park",
        "david.park@northwind.example",
        "CEO",
        "Northwind Software",
    ),
    person(
        "Mike Stevens",
        "mike.stevens@northwind.example",
        "CTO",
        "Northwind Software",
    ),
    person(
        "Rachel Adams",
        "rachel.adams@northwind.example",
        "COO",
        "Northwind Software",
    ),
];

/// Internal: everyone else who writes now and then.
pub const OTHER_INTERNAL: &[Person] = &[
    person(
        "Hannah Wells",
        "hannah.wells@northwind.example",
        "People Partner",
        "Northwind Software",
    ),
    person(
        "Olivia Grant",
        "olivia.grant@northwind.example",
        "Marketing Director",
        "Northwind Software",
    ),
    person(
        "Steven Cole",
        "steven.cole@northwind.example",
        "Senior Counsel",
        "Northwind Software",
    ),
    person(
        "Ben Foster",
        "ben.foster@northwind.example",
        "Customer Success Lead",
        "Northwind Software",
    ),
];

/// Acme Corp's CTO: the escalating production-issue thread.
pub const TOM: Person = person(
    "Tom Anderson",
    "tom.anderson@acmecorp.example",
    "CTO",
    "Acme Corp",
);
/// Acme Corp's VP Operations: the executive-review meeting request.
pub const LISA: Person = person(
    "Lisa Chen",
    "lisa.chen@acmecorp.example",
    "VP Operations",
    "Acme Corp",
);
/// TechFlow Inc: contract questions.
pub const JENNIFER: Person = person(
    "Jennifer Martinez",
    "jennifer.martinez@techflow.example",
    "Director of Procurement",
    "TechFlow Inc",
);
/// Global Systems: quarterly review agenda.
pub const ROBERT: Person = person(
    "Robert Kim",
    "robert.kim@globalsystems.example",
    "IT Director",
    "Global Systems",
);
/// DataCorp: feature and pricing requests, a hot lead.
pub const AMANDA: Person = person(
    "Amanda Foster",
    "amanda.foster@datacorp.example",
    "Head of Data Platform",
    "DataCorp",
);

/// Clients: the four of the demo scenes plus background accounts.
pub const CLIENTS: &[Person] = &[
    TOM,
    LISA,
    JENNIFER,
    ROBERT,
    AMANDA,
    person(
        "Nina Patel",
        "nina.patel@blueharbor.example",
        "VP Digital",
        "Blue Harbor Retail",
    ),
    person(
        "Carlos Rivera",
        "carlos.rivera@summithealth.example",
        "CIO",
        "Summit Health",
    ),
    person(
        "Grace Liu",
        "grace.liu@pinecrestbank.example",
        "Head of Analytics",
        "Pinecrest Bank",
    ),
    person(
        "José Álvarez",
        "jose.alvarez@solaria.example",
        "Director de Operaciones",
        "Solaria Energía",
    ),
];

/// Newsletters and notification senders.
pub const NEWSLETTERS: &[Person] = &[
    person(
        "SaaS Weekly",
        "newsletter@saasweekly.example",
        "",
        "SaaS Weekly",
    ),
    person(
        "Revenue Leaders Digest",
        "digest@revenueleaders.example",
        "",
        "Revenue Leaders",
    ),
    person(
        "CRM Alerts",
        "noreply@crm.northwind.example",
        "",
        "Northwind CRM",
    ),
    person("Spendly", "expenses@spendly.example", "", "Spendly"),
    person(
        "IT Helpdesk",
        "it-helpdesk@northwind.example",
        "",
        "Northwind Software",
    ),
];
