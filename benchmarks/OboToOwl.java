// OBO -> OWL (RDF/XML) with OWLAPI, the translation ROBOT uses (benchmarks/bench_merge_hp.py).
// usage: java OboToOwl IN.obo OUT.owl
import java.io.File;
import java.io.FileOutputStream;
import java.io.OutputStream;

import org.semanticweb.owlapi.apibinding.OWLManager;
import org.semanticweb.owlapi.formats.RDFXMLDocumentFormat;
import org.semanticweb.owlapi.model.OWLOntology;
import org.semanticweb.owlapi.model.OWLOntologyManager;

public class OboToOwl {
    public static void main(String[] args) throws Exception {
        OWLOntologyManager manager = OWLManager.createOWLOntologyManager();
        OWLOntology ontology = manager.loadOntologyFromOntologyDocument(new File(args[0]));
        try (OutputStream out = new FileOutputStream(args[1])) {
            manager.saveOntology(ontology, new RDFXMLDocumentFormat(), out);
        }
        System.out.println("axioms\t" + ontology.getAxiomCount());
    }
}
