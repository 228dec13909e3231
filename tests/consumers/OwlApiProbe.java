// What OWLAPI 5 (the library under ROBOT and Protege) reads from a release file.
// Compiled and run by tests/test_consumers.py against Debian's libowlapi-java.
//
// usage: java OwlApiProbe FILE
// prints one "key<TAB>value" line per fact: ontology and version IRI, counts, OWL 2 DL profile
// violations, whether an RDF/XML round trip keeps every axiom, every named class's named
// superclasses ("parent") and "p some C" superclasses ("relationship"), the object property
// assertions between named individuals ("assertion"), and the annotation and object properties.
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.util.TreeSet;

import org.semanticweb.owlapi.apibinding.OWLManager;
import org.semanticweb.owlapi.formats.RDFXMLDocumentFormat;
import org.semanticweb.owlapi.model.AxiomType;
import org.semanticweb.owlapi.model.IRI;
import org.semanticweb.owlapi.model.OWLAnnotationProperty;
import org.semanticweb.owlapi.model.OWLAxiom;
import org.semanticweb.owlapi.model.OWLClassExpression;
import org.semanticweb.owlapi.model.OWLObjectProperty;
import org.semanticweb.owlapi.model.OWLObjectPropertyAssertionAxiom;
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
        // every named class's named superclasses and "p some C" superclasses
        for (OWLSubClassOfAxiom axiom : ontology.getAxioms(AxiomType.SUBCLASS_OF)) {
            if (axiom.getSubClass().isAnonymous()) {
                continue;
            }
            String sub = axiom.getSubClass().asOWLClass().getIRI().toString();
            OWLClassExpression sup = axiom.getSuperClass();
            if (!sup.isAnonymous()) {
                System.out.println("parent\t" + sub + "\t" + sup.asOWLClass().getIRI());
            } else if (sup instanceof OWLObjectSomeValuesFrom) {
                OWLObjectSomeValuesFrom some = (OWLObjectSomeValuesFrom) sup;
                if (!some.getProperty().isAnonymous() && !some.getFiller().isAnonymous()) {
                    System.out.println("relationship\t" + sub + "\t"
                            + some.getProperty().asOWLObjectProperty().getIRI() + "\t"
                            + some.getFiller().asOWLClass().getIRI());
                }
            }
        }
        for (OWLObjectPropertyAssertionAxiom axiom
                : ontology.getAxioms(AxiomType.OBJECT_PROPERTY_ASSERTION)) {
            if (!axiom.getProperty().isAnonymous() && axiom.getSubject().isNamed()
                    && axiom.getObject().isNamed()) {
                System.out.println("assertion\t"
                        + axiom.getProperty().asOWLObjectProperty().getIRI() + "\t"
                        + axiom.getSubject().asOWLNamedIndividual().getIRI() + "\t"
                        + axiom.getObject().asOWLNamedIndividual().getIRI());
            }
        }
        for (OWLAnnotationProperty property : ontology.getAnnotationPropertiesInSignature()) {
            System.out.println("annotation_property\t" + property.getIRI());
        }
        for (OWLObjectProperty property : ontology.getObjectPropertiesInSignature()) {
            System.out.println("object_property\t" + property.getIRI());
        }
    }
}
