"""The names FHIR R4 gives its resources and code systems, for the reader of FHIR input.

Facts of the FHIR R4 (4.0.1) specification, not clinical knowledge: a resource whose
``resourceType`` is not one of :data:`R4_RESOURCE_TYPES` is no FHIR R4 resource.
"""

from __future__ import annotations

LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
#: Where the codes of an Observation's ``interpretation`` come from (HL7 v3, and v2 table 0078).
INTERPRETATION_SYSTEMS = (
    "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation",
    "http://terminology.hl7.org/CodeSystem/v2-0078",
    "http://hl7.org/fhir/v2/0078",
)
#: ``referenceRange.type`` codes of the normal range (the one a flag is read against).
NORMAL_RANGE_CODES = frozenset({"normal"})

#: UCUM codes of concentrations as electrocheck spells them. UCUM is case-sensitive and so is
#: electrocheck's unit reader where case changes the meaning (``mM`` is millimolar, ``MM`` is
#: refused): each code is mapped here, once, to the spelling it means. A code not listed is
#: passed on as written, and the unit reader accepts it or says why not (``mm[Hg]``, ``%``).
UCUM_UNITS: dict[str, str] = {
    "mmol/L": "mmol/L",
    "mmol/l": "mmol/L",
    "umol/L": "µmol/L",
    "umol/l": "µmol/L",
    "mol/L": "mol/L",
    "mg/dL": "mg/dL",
    "mg/dl": "mg/dL",
    "mg/L": "mg/L",
    "ug/dL": "µg/dL",
    "g/dL": "g/dL",
    "g/L": "g/L",
    "meq/L": "mEq/L",
    "meq/l": "mEq/L",
    # Not UCUM (UCUM's milliequivalent is meq), but what many systems send in the code.
    "mEq/L": "mEq/L",
}

_R4_NAMES = """
    Account ActivityDefinition AdverseEvent AllergyIntolerance Appointment AppointmentResponse
    AuditEvent Basic Binary BiologicallyDerivedProduct BodyStructure Bundle
    CapabilityStatement CarePlan CareTeam CatalogEntry ChargeItem ChargeItemDefinition Claim
    ClaimResponse ClinicalImpression CodeSystem Communication CommunicationRequest
    CompartmentDefinition Composition ConceptMap Condition Consent Contract Coverage
    CoverageEligibilityRequest CoverageEligibilityResponse DetectedIssue Device
    DeviceDefinition DeviceMetric DeviceRequest DeviceUseStatement DiagnosticReport
    DocumentManifest DocumentReference EffectEvidenceSynthesis Encounter Endpoint
    EnrollmentRequest EnrollmentResponse EpisodeOfCare EventDefinition Evidence
    EvidenceVariable ExampleScenario ExplanationOfBenefit FamilyMemberHistory Flag Goal
    GraphDefinition Group GuidanceResponse HealthcareService ImagingStudy Immunization
    ImmunizationEvaluation ImmunizationRecommendation ImplementationGuide InsurancePlan
    Invoice Library Linkage List Location Measure MeasureReport Media Medication
    MedicationAdministration MedicationDispense MedicationKnowledge MedicationRequest
    MedicationStatement MedicinalProduct MedicinalProductAuthorization
    MedicinalProductContraindication MedicinalProductIndication MedicinalProductIngredient
    MedicinalProductInteraction MedicinalProductManufactured MedicinalProductPackaged
    MedicinalProductPharmaceutical MedicinalProductUndesirableEffect MessageDefinition
    MessageHeader MolecularSequence NamingSystem NutritionOrder Observation
    ObservationDefinition OperationDefinition OperationOutcome Organization
    OrganizationAffiliation Parameters Patient PaymentNotice PaymentReconciliation Person
    PlanDefinition Practitioner PractitionerRole Procedure Provenance Questionnaire
    QuestionnaireResponse RelatedPerson RequestGroup ResearchDefinition
    ResearchElementDefinition ResearchStudy ResearchSubject RiskAssessment
    RiskEvidenceSynthesis Schedule SearchParameter ServiceRequest Slot Specimen
    SpecimenDefinition StructureDefinition StructureMap Subscription Substance
    SubstanceNucleicAcid SubstancePolymer SubstanceProtein SubstanceReferenceInformation
    SubstanceSourceMaterial SubstanceSpecification SupplyDelivery SupplyRequest Task
    TerminologyCapabilities TestReport TestScript ValueSet VerificationResult
    VisionPrescription
"""
#: Every resource type of FHIR R4 (4.0.1).
R4_RESOURCE_TYPES = frozenset(_R4_NAMES.split())

__all__ = [
    "INTERPRETATION_SYSTEMS",
    "LOINC",
    "NORMAL_RANGE_CODES",
    "R4_RESOURCE_TYPES",
    "UCUM",
    "UCUM_UNITS",
]
