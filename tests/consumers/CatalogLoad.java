// Open an ontology offline in OWL API through the XML catalog beside it, as Protégé and ROBOT do.
// Compiled and run by tests/test_release.py against Debian's libowlapi-java.
//
// usage: java CatalogLoad ONTOLOGY_FILE [CATALOG_FILE]
// Each <uri name="IRI" uri="PATH"/> of the catalog (PATH relative to the catalog's folder) becomes
// an IRI mapper; without CATALOG_FILE nothing is mapped (the control: OWL API then fetches the
// import). Prints "key<TAB>value" lines: every ontology of the imports closure and the document
// it came from, the closure's class count, and the label of each extra argument IRI found there.
import java.io.File;
import java.util.ArrayList;
import java.util.List;

import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;

import org.semanticweb.owlapi.apibinding.OWLManager;
import org.semanticweb.owlapi.model.IRI;
import org.semanticweb.owlapi.model.OWLOntology;
import org.semanticweb.owlapi.model.OWLOntologyManager;
import org.semanticweb.owlapi.model.parameters.Imports;
import org.semanticweb.owlapi.search.EntitySearcher;
import org.semanticweb.owlapi.util.SimpleIRIMapper;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

public class CatalogLoad {
    static final String CATALOG_NS = "urn:oasis:names:tc:entity:xmlns:xml:catalog";

    public static void main(String[] args) throws Exception {
        OWLOntologyManager manager = OWLManager.createOWLOntologyManager();
        if (args.length > 1 && !args[1].isEmpty()) {
            File catalog = new File(args[1]).getAbsoluteFile();
            DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
            factory.setNamespaceAware(true);
            factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            DocumentBuilder builder = factory.newDocumentBuilder();
            NodeList uris = builder.parse(catalog).getElementsByTagNameNS(CATALOG_NS, "uri");
            for (int i = 0; i < uris.getLength(); i++) {
                Element uri = (Element) uris.item(i);
                File target = new File(catalog.getParentFile(), uri.getAttribute("uri"));
                manager.getIRIMappers().add(new SimpleIRIMapper(
                        IRI.create(uri.getAttribute("name")), IRI.create(target)));
                System.out.println("mapped\t" + uri.getAttribute("name") + "\t" + target);
            }
        }
        OWLOntology ontology = manager.loadOntologyFromOntologyDocument(new File(args[0]));
        List<String> lines = new ArrayList<>();
        for (OWLOntology loaded : ontology.getImportsClosure()) {
            lines.add("ontology\t" + loaded.getOntologyID().getOntologyIRI().map(IRI::toString)
                    .orElse("") + "\t" + manager.getOntologyDocumentIRI(loaded));
        }
        lines.sort(null);
        lines.forEach(System.out::println);
        System.out.println("closure_classes\t"
                + ontology.getClassesInSignature(Imports.INCLUDED).size());
        for (int i = 2; i < args.length; i++) {
            String iri = args[i];
            for (OWLOntology loaded : ontology.getImportsClosure()) {
                EntitySearcher.getAnnotations(
                        manager.getOWLDataFactory().getOWLClass(IRI.create(iri)), loaded,
                        manager.getOWLDataFactory().getRDFSLabel())
                        .forEach(a -> a.getValue().asLiteral().ifPresent(
                                l -> System.out.println("label\t" + iri + "\t" + l.getLiteral())));
            }
        }
    }
}
