// What OWLAPI 5 (the library under ROBOT and Protege) reads from a release file.
// Compiled and run by tests/test_consumers.py against Debian's libowlapi-java.
//
// usage: java OwlApiProbe FILE [CLASS_IRI ...]
// prints one "key<TAB>value" line per fact: ontology and version IRI, counts, OWL 2 DL profile
// violations, whether an RDF/XML round trip keeps every axiom, and for each CLASS_IRI its named
// superclasses ("parent") and "p some C" superclasses ("relationship").
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.util.TreeSet;

import org.semanticweb.owlapi.apibinding.OWLManager;
import org.semanticweb.owlapi.formats.RDFXMLDocumentFormat;
import org.semanticweb.owlapi.model.AxiomType;
import org.semanticweb.owlapi.model.IRI;
import org.semanticweb.owlapi.model.OWLAxiom;
import org.semanticweb.owlapi.model.OWLClass;
import org.semanticweb.owlapi.model.OWLClassExpression;
import org.semanticweb.owlapi.model.OWLObjectSomeValuesFrom;
import org.semanticweb.owlapi.model.OWLOntology;
import org.semanticweb.owlapi.model.OWLOntologyManager;
import org.semanticweb.owlapi.model.OWLSubClassOfAxiom;
import org.semanticweb.owlapi.model.parameters.Imports;
import org.semanticweb.owlapi.profiles.OWL2DLProfile;
import org.semanticweb.owlapi.profiles.OWLProfileReport;
import org.semanticweb.owlapi.profiles.OWLProfileViolation;

public class OwlApiProbe {
    public static void main(String[] args) throws Exception {
        OWLOntologyManager manager = OWLManager.createOWLOntologyManager();
        OWLOntology ontology = manager.loadOntologyFromOntologyDocument(new File(args[0]));
        System.out.println("ontology\t" + ontology.getOntologyID().getOntologyIRI()
                .map(IRI::toString).orElse(""));
        System.out.println("version\t" + ontology.getOntologyID().getVersionIRI()
                .map(IRI::toString).orElse(""));
        System.out.println("classes\t" + ontology.getClassesInSignature(Imports.EXCLUDED).size());
        System.out.println("object_properties\t"
                + ontology.getObjectPropertiesInSignature(Imports.EXCLUDED).size());
        System.out.println("axioms\t" + ontology.getAxiomCount());
        System.out.println("logical_axioms\t" + ontology.getLogicalAxiomCount());
        System.out.println("subclass_axioms\t" + ontology.getAxiomCount(AxiomType.SUBCLASS_OF));
        OWLProfileReport report = new OWL2DLProfile().checkOntology(ontology);
        TreeSet<String> kinds = new TreeSet<>();
        for (OWLProfileViolation violation : report.getViolations()) {
            kinds.add(violation.getClass().getSimpleName());
        }
        System.out.println("dl_violations\t" + report.getViolations().size());
        System.out.println("dl_violation_kinds\t" + String.join(",", kinds));
        long ccKg = ontology.getClassesInSignature().stream()
                .filter(c -> c.getIRI().toString().startsWith("https://w3id.org/calcinosis-kg/CCKG_"))
                .count();
        System.out.println("cckg_classes\t" + ccKg);
        // round trip through RDF/XML: every axiom comes back
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        manager.saveOntology(ontology, new RDFXMLDocumentFormat(), out);
        OWLOntologyManager second = OWLManager.createOWLOntologyManager();
        OWLOntology reread = second.loadOntologyFromOntologyDocument(
                new ByteArrayInputStream(out.toByteArray()));
        TreeSet<String> before = new TreeSet<>();
        // declarations aside: OWLAPI's writer adds some (e.g. of xsd:date) on its own
        for (OWLAxiom axiom : ontology.getAxioms()) {
            if (axiom.isOfType(AxiomType.DECLARATION)) {
                continue;
            }
            before.add(axiom.getAxiomWithoutAnnotations().toString().replaceAll("_:genid[0-9]+", "_:b"));
        }
        TreeSet<String> after = new TreeSet<>();
        for (OWLAxiom axiom : reread.getAxioms()) {
            if (axiom.isOfType(AxiomType.DECLARATION)) {
                continue;
            }
            after.add(axiom.getAxiomWithoutAnnotations().toString().replaceAll("_:genid[0-9]+", "_:b"));
        }
        System.out.println("round_trip_equal\t" + before.equals(after));
        if (!before.equals(after)) {
            TreeSet<String> lost = new TreeSet<>(before);
            lost.removeAll(after);
            TreeSet<String> gained = new TreeSet<>(after);
            gained.removeAll(before);
            System.out.println("round_trip_lost\t" + lost.size() + "\t"
                    + (lost.isEmpty() ? "" : lost.first()));
            System.out.println("round_trip_gained\t" + gained.size() + "\t"
                    + (gained.isEmpty() ? "" : gained.first()));
        }
        for (int i = 1; i < args.length; i++) {
            OWLClass cls = manager.getOWLDataFactory().getOWLClass(IRI.create(args[i]));
            for (OWLSubClassOfAxiom axiom : ontology.getSubClassAxiomsForSubClass(cls)) {
                OWLClassExpression sup = axiom.getSuperClass();
                if (!sup.isAnonymous()) {
                    System.out.println("parent\t" + args[i] + "\t" + sup.asOWLClass().getIRI());
                } else if (sup instanceof OWLObjectSomeValuesFrom) {
                    OWLObjectSomeValuesFrom some = (OWLObjectSomeValuesFrom) sup;
                    if (!some.getProperty().isAnonymous() && !some.getFiller().isAnonymous()) {
                        System.out.println("relationship\t" + args[i] + "\t"
                                + some.getProperty().asOWLObjectProperty().getIRI() + "\t"
                                + some.getFiller().asOWLClass().getIRI());
                    }
                }
            }
        }
    }
}
