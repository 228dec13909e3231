// What jsonld-java (a JSON-LD 1.0 processor: the one under OWL API's and Jena 3's JSON-LD readers)
// makes of a JSON-LD document. Compiled and run by tests/test_consumers.py against Debian's jars.
//
// usage: java JsonLdProbe FILE  -> the document's N-Quads on stdout; exit 3 and
// "error<TAB>message" when the processor refuses the document
import java.io.FileInputStream;
import java.io.InputStream;

import com.github.jsonldjava.core.JsonLdConsts;
import com.github.jsonldjava.core.JsonLdOptions;
import com.github.jsonldjava.core.JsonLdProcessor;
import com.github.jsonldjava.utils.JsonUtils;

public class JsonLdProbe {
    public static void main(String[] args) throws Exception {
        Object document;
        try (InputStream in = new FileInputStream(args[0])) {
            document = JsonUtils.fromInputStream(in);
        }
        JsonLdOptions options = new JsonLdOptions();
        options.format = JsonLdConsts.APPLICATION_NQUADS;
        try {
            System.out.print(JsonLdProcessor.toRDF(document, options));
        } catch (Exception error) {
            System.out.println("error\t" + error);
            System.exit(3);
        }
    }
}
